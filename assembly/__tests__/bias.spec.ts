import { TEST_SIZES, filled, addr, wave } from "./helpers";
import { addRowVector, sumRows, sumRowsPart } from "../bias";

describe("bias", () => {
  test("adds the vector to every row, and sumRows undoes the broadcast", () => {
    for (let s = 0; s < TEST_SIZES.length; s++) {
      const cols = TEST_SIZES[s];
      const rows = 3;
      const x = filled(rows * cols, wave);
      const b = filled(cols, (i: i32): f32 => <f32>i);
      const y = new Float32Array(rows * cols);
      addRowVector(addr(y), addr(x), addr(b), rows, cols);
      for (let i = 0; i < rows * cols; i++) expect(y[i]).toBe(x[i] + b[i % cols]);
      const out = new Float32Array(cols);
      sumRows(addr(out), addr(x), rows, cols);
      for (let j = 0; j < cols; j++) expect(out[j]).toBe(x[j] + x[cols + j] + x[2 * cols + j]);
    }
  });

  test("sumRowsPart sums its columns as sumRows does, whatever the split", () => {
    for (let s = 0; s < TEST_SIZES.length; s++) {
      const cols = TEST_SIZES[s];
      const rows = 37;
      const x = filled(rows * cols, wave);
      const whole = new Float32Array(cols);
      sumRows(addr(whole), addr(x), rows, cols);
      for (let cut = 0; cut <= cols; cut += 4) {
        const parts = new Float32Array(cols);
        sumRowsPart(addr(parts), addr(x), rows, cols, 0, cut);
        sumRowsPart(addr(parts), addr(x), rows, cols, cut, cols);
        for (let j = 0; j < cols; j++) expect(parts[j]).toBe(whole[j]);
      }
    }
  });
});
