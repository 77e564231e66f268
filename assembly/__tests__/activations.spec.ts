import { TEST_SIZES, filled, addr, wave } from "./helpers";
import { sigmoid, sigmoidReverse, tanh, tanhReverse, relu, reluReverse, leakyRelu, leakyReluReverse } from "../activations";

describe("activations", () => {
  test("each forward matches its f64 formula at every size (body and tail)", () => {
    for (let s = 0; s < TEST_SIZES.length; s++) {
      const n = TEST_SIZES[s];
      const x = filled(n, wave);
      const y = new Float32Array(n);
      sigmoid(addr(y), addr(x), n);
      for (let i = 0; i < n; i++) expect(Math.abs(<f64>y[i] - 1 / (1 + Math.exp(-<f64>x[i])))).toBeLessThan(1e-6);
      tanh(addr(y), addr(x), n);
      for (let i = 0; i < n; i++) expect(Math.abs(<f64>y[i] - Math.tanh(<f64>x[i]))).toBeLessThan(1e-6);
      relu(addr(y), addr(x), n);
      for (let i = 0; i < n; i++) expect(y[i]).toBe(x[i] > 0 ? x[i] : 0);
      leakyRelu(addr(y), addr(x), n, 0.1);
      for (let i = 0; i < n; i++) expect(y[i]).toBe(x[i] > 0 ? x[i] : x[i] * <f32>0.1);
    }
  });

  test("each reverse is the derivative times the change", () => {
    const n = 13;
    const x = filled(n, wave);
    const g = filled(n, (i: i32): f32 => <f32>(i + 1) * 0.25);
    const y = new Float32Array(n);
    const d = new Float32Array(n);
    sigmoid(addr(y), addr(x), n);
    sigmoidReverse(addr(d), addr(y), addr(g), n);
    for (let i = 0; i < n; i++) expect(d[i]).toBe(g[i] * (y[i] * (1 - y[i])));
    tanh(addr(y), addr(x), n);
    tanhReverse(addr(d), addr(y), addr(g), n);
    for (let i = 0; i < n; i++) expect(d[i]).toBe(g[i] * (1 - y[i] * y[i]));
    reluReverse(addr(d), addr(x), addr(g), n);
    for (let i = 0; i < n; i++) expect(d[i]).toBe(x[i] > 0 ? g[i] : 0);
    leakyReluReverse(addr(d), addr(x), addr(g), n, 0.1);
    for (let i = 0; i < n; i++) expect(d[i]).toBe(x[i] > 0 ? g[i] : g[i] * <f32>0.1);
  });

  test("relu's derivative at exactly 0 is 0; outputs may alias inputs", () => {
    const x = filled(5, (i: i32): f32 => <f32>(i - 2));
    const g = filled(5, (i: i32): f32 => 1);
    const d = new Float32Array(5);
    reluReverse(addr(d), addr(x), addr(g), 5);
    expect(d[2]).toBe(0);
    tanh(addr(x), addr(x), 5);
    expect(x[0]).toBeLessThan(-0.96);
    expect(x[2]).toBe(0);
  });
});
