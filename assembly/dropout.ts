// Dropout's mask from a counter-based hash: entry i of the mask for a given
// seed and step is a pure function of (seed, step, i), so the mask needs no
// generator state, and any engine (or the float64 reference, in TypeScript
// with Math.imul) computes the same bits. The hash is MurmurHash3's 32-bit
// finaliser (Appleby) applied to a Weyl-sequence mix of the three integers.

@inline function mix(seed: u32, step: u32, i: u32): u32 {
  let h = seed ^ (step * 0x85ebca6b) ^ (i * 0x9e3779b1);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

/**
 * mask[i] = scale where the top 24 bits of the hash are >= threshold, else 0;
 * y[i] = x[i] * mask[i]. threshold = ceil(rate * 2^24), so an entry is
 * dropped with probability rate (to 2^-24); scale = 1 / (1 - rate).
 */
export function dropout(y: usize, mask: usize, x: usize, n: i32, threshold: i32, scale: f32, seed: i32, step: i32): void {
  for (let i = 0; i < n; i++) {
    const keep = <i32>(mix(<u32>seed, <u32>step, <u32>i) >> 8) >= threshold;
    const m: f32 = keep ? scale : 0;
    const o = <usize>i << 2;
    store<f32>(mask + o, m);
    store<f32>(y + o, load<f32>(x + o) * m);
  }
}
