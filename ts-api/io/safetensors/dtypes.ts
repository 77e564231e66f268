// Element conversions between the file's dtypes and f32, bit-exact:
//   F16 -> f32 and BF16 -> f32 are exact (every half and bfloat16 is an f32);
//   F64 -> f32 rounds to nearest, ties to even (Float32Array assignment, IEEE 754);
//   f32 -> F16 rounds to nearest, ties to even, overflow to Inf, with
//   subnormal halves produced exactly, NaN kept NaN (quiet) with its sign.
// Typed arrays use the platform's byte order; the format and wasm memory are
// little-endian, as is every engine paralens runs on.

import { ParalensError, describe } from "../../engine/errors.ts";

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** The f32 bit pattern of every half-precision value, built on first use (256 KiB). */
let halfTable: Uint32Array | undefined;

function halfToFloatBits(): Uint32Array {
  if (halfTable !== undefined) return halfTable;
  const table = new Uint32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0x1f) table[h] = sign | 0x7f800000 | (mantissa << 13);
    else if (exponent !== 0) table[h] = sign | ((exponent - 15 + 127) << 23) | (mantissa << 13);
    else {
      scratch[0] = mantissa * 2 ** -24; // a subnormal half is mantissa * 2^-24, exact in f32
      table[h] = (sign | scratchBits[0]!) >>> 0;
    }
  }
  return (halfTable = table);
}

/**
 * f32 -> IEEE half, round to nearest, ties to even.
 *
 * @example
 * ```ts
 * halfToFloat(floatToHalf(1.5));  // 1.5
 * ```
 *
 * @category IO
 */
export function floatToHalf(value: number): number {
  if (typeof value !== "number") throw new ParalensError(`floatToHalf: value must be a number, got ${describe(value)}`);
  scratch[0] = value;
  const x = scratchBits[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 | (mantissa >>> 13) : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // a subnormal half (or zero): the implicit bit joins the mantissa and 14 - e bits go
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let h = mantissa >>> shift;
    if (rest > half || (rest === half && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  // a carry out of the mantissa bumps the exponent, up to Inf: still the right rounding
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h++;
  return sign | h;
}

/**
 * IEEE half -> f32 (exact).
 *
 * @example
 * ```ts
 * halfToFloat(0x3c00);  // 1
 * ```
 *
 * @category IO
 */
export function halfToFloat(h: number): number {
  if (typeof h !== "number") throw new ParalensError(`halfToFloat: h must be a number (a half's 16 bits), got ${describe(h)}`);
  scratchBits[0] = halfToFloatBits()[h & 0xffff]!;
  return scratch[0]!;
}

/** Converts `count` elements of `dtype` starting at byte `begin` of `bytes` into `target` (an f32 array, e.g. arena memory). */
export function convertInto(bytes: Uint8Array, begin: number, count: number, dtype: "F32" | "F16" | "BF16" | "F64", target: Float32Array): void {
  const itemBytes = dtype === "F64" ? 8 : dtype === "F32" ? 4 : 2;
  if (dtype === "F32") {
    // one byte copy straight into the target, whatever the alignment
    new Uint8Array(target.buffer, target.byteOffset, count * 4).set(bytes.subarray(begin, begin + count * 4));
    return;
  }
  const source = aligned(bytes, begin, count * itemBytes, itemBytes);
  if (dtype === "F64") {
    target.set(new Float64Array(source.buffer, source.byteOffset, count));
    return;
  }
  const halves = new Uint16Array(source.buffer, source.byteOffset, count);
  const out = new Uint32Array(target.buffer, target.byteOffset, count);
  if (dtype === "BF16") {
    for (let i = 0; i < count; i++) out[i] = halves[i]! << 16;
  } else {
    const table = halfToFloatBits();
    for (let i = 0; i < count; i++) out[i] = table[halves[i]!]!;
  }
}

/** The bytes as a view a typed array of that element size can use: in place if aligned, else copied. */
function aligned(bytes: Uint8Array, begin: number, length: number, align: number): Uint8Array {
  const view = bytes.subarray(begin, begin + length);
  return view.byteOffset % align === 0 ? view : view.slice();
}
