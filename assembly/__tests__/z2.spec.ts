import { z2Run, z2Fold, z2Count, LOAD, LOADC, STORE, ACC, ZERO, ONE, NOT, XOR, AND, ANDXOR } from "../z2";

// a deterministic spread of 32-bit words
function mix(i: i32): u32 {
  let x = <u32>i * 0x9e3779b9 + 0x7f4a7c15;
  x ^= x >> 15;
  x *= 0x2c1b3c6d;
  return x ^ (x >> 12);
}

function words(n: i32, seed: i32): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = mix(i * 7 + seed);
  return a;
}

function ptr(a: Uint32Array): u32 {
  return <u32>a.dataStart;
}

function popcount(x: u32): i32 {
  return <i32>popcnt<u32>(x);
}

describe("z2Run", () => {
  test("XOR, AND, NOT, ANDXOR over wires of 11 words equal scalar bit operations, in blocks of 1, 2, 4, 5 and 8 words", () => {
    // 8 and 4 run the unrolled gate loop, 5 and the last blocks its remainder
    const w = 11; // v128 words per wire: 44 u32
    const a = words(w * 4, 1);
    const b = words(w * 4, 2);
    const c = words(w * 4, 3);
    const outs = new Uint32Array(4 * w * 4);
    const code = new Uint32Array(4 * 11);
    const prog: u32[][] = [
      [LOAD, 0, ptr(a), 0],
      [LOAD, 1, ptr(b), 0],
      [LOAD, 2, ptr(c), 0],
      [XOR, 3, 0, 1],
      [STORE, ptr(outs), 3, 0],
      [AND, 3, 0, 1],
      [STORE, ptr(outs) + w * 16, 3, 0],
      [NOT, 3, 2, 0],
      [STORE, ptr(outs) + 2 * w * 16, 3, 0],
      [ANDXOR | (2 << 8), 3, 0, 1],
      [STORE, ptr(outs) + 3 * w * 16, 3, 0],
    ];
    for (let i = 0; i < prog.length; i++) for (let j = 0; j < 4; j++) code[i * 4 + j] = prog[i][j];
    const blocks: i32[] = [1, 2, 4, 5, 8];
    for (let k = 0; k < blocks.length; k++) {
      const scratch = new Uint32Array(4 * 4 * blocks[k]);
      outs.fill(0);
      z2Run(code.dataStart, prog.length, scratch.dataStart, blocks[k], w, w * 128);
      for (let i = 0; i < w * 4; i++) {
        expect(outs[i]).toBe(a[i] ^ b[i]);
        expect(outs[w * 4 + i]).toBe(a[i] & b[i]);
        expect(outs[2 * w * 4 + i]).toBe(~c[i]);
        expect(outs[3 * w * 4 + i]).toBe((a[i] & b[i]) ^ c[i]);
      }
    }
  });

  test("LOADC copies one word to every word; ZERO and ONE fill", () => {
    const w = 5;
    const p = words(4, 9);
    const outs = new Uint32Array(3 * w * 4);
    const code = new Uint32Array(4 * 6);
    const prog: u32[][] = [
      [LOADC, 0, ptr(p), 0],
      [STORE, ptr(outs), 0, 0],
      [ZERO, 1, 0, 0],
      [STORE, ptr(outs) + w * 16, 1, 0],
      [ONE, 1, 0, 0],
      [STORE, ptr(outs) + 2 * w * 16, 1, 0],
    ];
    for (let i = 0; i < prog.length; i++) for (let j = 0; j < 4; j++) code[i * 4 + j] = prog[i][j];
    const scratch = new Uint32Array(2 * 4 * 2);
    z2Run(code.dataStart, prog.length, scratch.dataStart, 2, w, w * 128 - 3);
    for (let i = 0; i < w * 4; i++) {
      expect(outs[i]).toBe(p[i & 3]);
      expect(outs[w * 4 + i]).toBe(0);
      expect(outs[2 * w * 4 + i]).toBe(0xffffffff);
    }
  });

  test("ACC sums a wire over the batch, leaving out the lanes past it; z2Fold gives the parity as a full word", () => {
    const batches: i32[] = [1, 31, 127, 128, 129, 200, 383, 384];
    for (let k = 0; k < batches.length; k++) {
      const batch = batches[k];
      const w = (batch + 127) >> 7;
      const x = words(w * 4, batch);
      // the parity of the bits of x within the batch
      let parity = 0;
      for (let i = 0; i < batch; i++) parity ^= (x[i >> 5] >> (<u32>i & 31)) & 1;
      const acc = new Uint32Array(4);
      const code = new Uint32Array(8);
      code[0] = LOAD; code[1] = 0; code[2] = ptr(x);
      code[4] = ACC; code[5] = ptr(acc); code[6] = 0;
      for (let block = 1; block <= 3; block++) {
        acc.fill(0);
        const scratch = new Uint32Array(4 * block);
        z2Run(code.dataStart, 2, scratch.dataStart, block, w, batch);
        z2Fold(acc.dataStart, 1);
        for (let j = 0; j < 4; j++) expect(acc[j]).toBe(parity ? 0xffffffff : 0);
      }
    }
  });
});

describe("z2Count", () => {
  test("counts the set bits among the first batch lanes", () => {
    const batches: i32[] = [1, 32, 100, 128, 129, 300];
    for (let k = 0; k < batches.length; k++) {
      const batch = batches[k];
      const w = (batch + 127) >> 7;
      const x = words(w * 4, batch + 5);
      let expected = 0;
      for (let i = 0; i < w * 4; i++) {
        const valid = batch - i * 32;
        if (valid >= 32) expected += popcount(x[i]);
        else if (valid > 0) expected += popcount(x[i] & ((1 << <u32>valid) - 1));
      }
      expect(z2Count(x.dataStart, w, batch)).toBe(expected);
    }
  });
});
