// Shared by the kernel specs: arrays with pointers, and sizes that exercise
// the vector body, the scalar tail, and both.
export const TEST_SIZES: i32[] = [1, 3, 4, 5, 8, 13];

export function filled(n: i32, f: (i: i32) => f32): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}

export function addr(a: Float32Array): usize {
  return a.dataStart;
}

// a deterministic spread of values in about [-3, 3]
export function wave(i: i32): f32 {
  return <f32>(3.0 * Math.sin(<f64>i * 1.7 + 0.3));
}
