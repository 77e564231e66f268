// The inner loop of Rng.fillUniform (ts-api/init/random.ts): initialising a
// model draws every weight before anything is warm, and in JavaScript that
// loop runs in the interpreter first, boxing each 32-bit word it makes (a
// 784 x 128 layer: ~8 ms at a cold start; here well under one). It lives in
// the core, so a platform that imports the core as a module (where compiling
// wasm from bytes is banned) needs no second module for it.
// The same generator, xoshiro128** (Blackman & Vigna, 2018), the same draws in
// the same order and the same f64 arithmetic, so the same values to the bit.
// Scalar code only: the state is one chain of dependent steps.

/**
 * Writes n values low + span * u to `out` (f64), u uniform in [0, 1) with 53
 * random bits (two draws each); the generator's four words of state are read
 * from `state` and written back there.
 */
export function uniformFill(state: usize, out: usize, n: i32, low: f64, span: f64): void {
  let s0 = load<u32>(state), s1 = load<u32>(state, 4), s2 = load<u32>(state, 8), s3 = load<u32>(state, 12);
  for (let i = 0; i < n; i++) {
    let r = rotl<u32>(s1 * 5, 7) * 9;
    let t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
    const hi = r >>> 5;
    r = rotl<u32>(s1 * 5, 7) * 9;
    t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = rotl<u32>(s3, 11);
    const lo = r >>> 6;
    // * 2^-53 is / 2^53 exactly (a power of two), and cheaper
    store<f64>(out + (<usize>i << 3), low + span * ((<f64>hi * 67108864 + <f64>lo) * 1.1102230246251565e-16));
  }
  store<u32>(state, s0);
  store<u32>(state, s1, 4);
  store<u32>(state, s2, 8);
  store<u32>(state, s3, 12);
}
