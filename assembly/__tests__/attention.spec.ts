import { filled, addr, wave } from "./helpers";
import { causalSoftmax } from "../attention";
import { gatherRows, scatterAddRows } from "../embedding";
import { dropout } from "../dropout";

// Causal softmax at block sizes that run the vector body, the tail and both
// (rows of 1..9 visible keys); embedding lookup with an id out of range; the
// dropout mask's rate and its dependence on seed and step.
describe("attention kernels", () => {
  test("causalSoftmax: each row a softmax of its first i + 1 scores, exact zeros after", () => {
    const sizes: i32[] = [1, 3, 4, 5, 9];
    for (let s = 0; s < sizes.length; s++) {
      const t = sizes[s];
      const rows = 2 * t;
      const x = filled(rows * t, (i: i32): f32 => wave(i));
      const y = filled(rows * t, (i: i32): f32 => 7);
      causalSoftmax(addr(y), addr(x), rows, t);
      for (let r = 0; r < rows; r++) {
        const n = (r % t) + 1;
        let m = -Infinity;
        for (let j = 0; j < n; j++) m = Math.max(m, <f64>x[r * t + j]);
        let sum = 0.0;
        for (let j = 0; j < n; j++) sum += Math.exp(<f64>x[r * t + j] - m);
        for (let j = 0; j < t; j++) {
          const got = <f64>y[r * t + j];
          if (j >= n) expect(reinterpret<u32>(y[r * t + j])).toBe(0);
          else expect(Math.abs(got - Math.exp(<f64>x[r * t + j] - m) / sum)).toBeLessThan(4e-7);
        }
      }
    }
  });

  test("gatherRows copies rows by id and writes zeros for ids out of range", () => {
    const d = 5, vocab = 3;
    const table = filled(vocab * d, (i: i32): f32 => <f32>i + 0.25);
    const ids = filled(4, (i: i32): f32 => i == 0 ? 2 : i == 1 ? 3 : i == 2 ? 0 : -1);
    const out = filled(4 * d, (i: i32): f32 => 9);
    gatherRows(addr(out), addr(table), addr(ids), 4, d, vocab);
    for (let j = 0; j < d; j++) {
      expect(out[j]).toBe(table[2 * d + j]);
      expect(out[d + j]).toBe(0);
      expect(out[2 * d + j]).toBe(table[j]);
      expect(out[3 * d + j]).toBe(0);
    }
  });

  test("scatterAddRows adds every use of an id and skips ids out of range", () => {
    const d = 6, vocab = 4;
    const ids = filled(5, (i: i32): f32 => i == 0 ? 1 : i == 1 ? 3 : i == 2 ? 1 : i == 3 ? 7 : 0);
    const dy = filled(5 * d, (i: i32): f32 => <f32>(i + 1));
    const out = filled(vocab * d, (i: i32): f32 => 5);
    scatterAddRows(addr(out), vocab, d, addr(dy), addr(ids), 5);
    for (let j = 0; j < d; j++) {
      expect(out[j]).toBe(dy[4 * d + j]);
      expect(out[d + j]).toBe(dy[j] + dy[2 * d + j]);
      expect(out[2 * d + j]).toBe(0);
      expect(out[3 * d + j]).toBe(dy[d + j]);
    }
  });

  test("dropout drops about the rate, scales the rest, and depends on seed and step", () => {
    const n = 20000;
    const x = filled(n, (i: i32): f32 => <f32>(i % 5 + 1));
    const y = new Float32Array(n), m = new Float32Array(n), m2 = new Float32Array(n);
    const scale: f32 = 1 / <f32>0.7;
    dropout(addr(y), addr(m), addr(x), n, <i32>Math.ceil(0.3 * 16777216), scale, 11, 0);
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      if (m[i] == 0) dropped++;
      else expect(m[i]).toBe(scale);
      expect(y[i]).toBe(x[i] * m[i]);
    }
    expect(Math.abs(<f64>dropped / n - 0.3)).toBeLessThan(0.02);
    dropout(addr(y), addr(m2), addr(x), n, <i32>Math.ceil(0.3 * 16777216), scale, 11, 1);
    let differ = 0;
    for (let i = 0; i < n; i++) if (m[i] != m2[i]) differ++;
    expect(differ).toBeGreaterThan(n / 4);
  });
});
