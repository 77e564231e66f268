import { peakMadd } from "../peak";

describe("peak", () => {
  test("the multiply-add chains leave every value as it was (a * 2^-30 is far below half an ulp of a)", () => {
    // thirteen chains start at seed, seed + 1, ..., seed + 12 and must not drift
    expect(peakMadd(1000, 1)).toBe(<f32>(13 * 1 + 78));
    expect(peakMadd(0, 2)).toBe(<f32>(13 * 2 + 78));
  });
});
