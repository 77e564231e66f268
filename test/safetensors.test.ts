// safetensors files: round trips, the dtype conversions against values
// computed by hand, and every malformed header rejected with its reason.
import { test } from "./harness.ts";
import { assert, assertDeepEqual, assertEqual, assertThrows } from "./assert.ts";
import { init } from "../ts-api/index.ts";
import { decodeSafetensors, encodeSafetensors, floatToHalf, halfToFloat, readSafetensorsHeader, MAX_HEADER_BYTES } from "../ts-api/io/index.ts";
import { bits, rawFile } from "./safetensors-files.ts";

await init();

test("F32 round trip is bit-identical, NaN payloads, -0, Inf and subnormals included", () => {
  const special = new Uint32Array([0x7fc00001, 0xffbfffff, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x807fffff, 0x3f800000]);
  const values = new Float32Array(special.buffer);
  const random = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i * 12.9898) * 43758.5453);
  const bytes = encodeSafetensors(new Map([["special", { shape: [2, 4], values }], ["random", { shape: [7, 11, 13], values: random }], ["empty", { shape: [0, 3], values: [] }]]), {
    metadata: { note: "round trip" },
  });
  assertEqual((bytes[0]! + 8) % 8, 0, "the header is padded so the data section starts at a multiple of 8");
  const { tensors, metadata } = decodeSafetensors(bytes);
  assertDeepEqual([...tensors.keys()], ["special", "random", "empty"]);
  assertDeepEqual(bits(tensors.get("special")!.values), [...special]);
  assertDeepEqual(bits(tensors.get("random")!.values), bits(random));
  assertDeepEqual(tensors.get("random")!.shape, [7, 11, 13]);
  assertDeepEqual(tensors.get("empty")!.shape, [0, 3]);
  assertEqual(metadata.get("note"), "round trip");
});

test("f32 -> F16 rounds to nearest, ties to even (hand-computed halves)", () => {
  const cases: [number, number][] = [
    [1, 0x3c00], [-2, 0xc000], [0.1, 0x2e66], [65504, 0x7bff],
    [65519.99, 0x7bff], [65520, 0x7c00], // 65520 is halfway to 2^16 (Inf): ties to the even Inf
    [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [1 + 2 ** -11 + 2 ** -20, 0x3c01],
    [2 ** -14, 0x0400], [2 ** -14 - 2 ** -24, 0x03ff], [2 ** -24, 0x0001],
    [2 ** -25, 0x0000], [1.5 * 2 ** -25, 0x0001], [3 * 2 ** -25, 0x0002], [5 * 2 ** -25, 0x0002], [2 ** -26, 0],
    [-0, 0x8000], [Infinity, 0x7c00], [-Infinity, 0xfc00], [NaN, 0x7e00], [1e10, 0x7c00], [-1e-10, 0x8000],
  ];
  for (const [v, h] of cases) assertEqual(floatToHalf(v), h, `floatToHalf(${v})`);
  const bytes = encodeSafetensors({ h: { shape: [cases.length], values: cases.map(([v]) => v) } }, { dtype: "F16" });
  const header = readSafetensorsHeader(bytes);
  const e = header.byName.get("h")!;
  assertEqual(e.dtype, "F16");
  const written = new Uint16Array(bytes.slice(e.begin, e.end).buffer);
  assertDeepEqual([...written], cases.map(([, h]) => h), "the file holds the same halves");
});

test("F16, BF16 and F64 are read as f32 exactly as computed by hand", () => {
  const f16 = new Uint16Array([0x3c00, 0x0001, 0x03ff, 0x0400, 0x7bff, 0x7c00, 0xfc00, 0x7e00, 0x8000, 0xbc01]);
  const f16Expected = [1, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, 65504, Infinity, -Infinity, NaN, -0, -(1 + 2 ** -10)];
  const bf16 = new Uint16Array([0x3f80, 0x0001, 0x0080, 0x7f80, 0xff80, 0x7fc0, 0x4049, 0x8000]);
  const bf16Expected = [1, 2 ** -133, 2 ** -126, Infinity, -Infinity, NaN, 3.140625, -0];
  const f64 = new Float64Array([1 / 3, 1e300, -1e300, 1e-46, 1e-45, 1.5 * 2 ** -149, 2.5 * 2 ** -149, NaN, -0, 16777217]);
  const f64Expected = [Math.fround(1 / 3), Infinity, -Infinity, 0, 2 ** -149, 2 * 2 ** -149, 2 * 2 ** -149, NaN, -0, 16777216];
  const file = rawFile(
    { a: { dtype: "F16", shape: [10], data_offsets: [0, 20] }, b: { dtype: "BF16", shape: [2, 4], data_offsets: [20, 36] }, c: { dtype: "F64", shape: [10], data_offsets: [40, 120] }, pad: { dtype: "F16", shape: [2], data_offsets: [36, 40] } },
    [f16, bf16, new Uint16Array(2), f64],
  );
  for (const shift of [0, 1, 3]) {
    // the same file at an odd byte offset: typed views cannot be made in place, the reader copies
    const moved = new Uint8Array(file.length + shift).subarray(shift);
    moved.set(file);
    const { tensors } = decodeSafetensors(moved);
    const same = (name: string, expected: number[]) =>
      assertDeepEqual(bits(tensors.get(name)!.values), bits(Float32Array.from(expected)), `${name} at offset ${shift}`);
    same("a", f16Expected);
    same("b", bf16Expected);
    same("c", f64Expected);
    assertEqual(tensors.get("b")!.dtype, "BF16");
  }
  for (let h = 0; h < 65536; h += 97) {
    const v = halfToFloat(h);
    if (!Number.isNaN(v)) assertEqual(floatToHalf(v), h, `half ${h} survives f32 and back`);
  }
  assertThrows(() => floatToHalf(Object.create(null) as number), /floatToHalf: value must be a number, got an object/);
  assertThrows(() => floatToHalf("1" as unknown as number), /floatToHalf: value must be a number, got "1" \(a string\)/);
});

test("every malformed header is rejected, naming the entry and the value", () => {
  const ok = { w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } };
  const data = [new Float32Array([1, 2])];
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(5), /5 bytes, fewer than the 8 of the header length/],
    [Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 123, 125]), new RegExp(`header length 4294967296 is over the limit of ${MAX_HEADER_BYTES} bytes`)],
    [Uint8Array.from([255, 0, 0, 0, 0, 0, 0, 0, 123, 125]), /header length 255 runs past the end of the file \(2 bytes follow/],
    [rawFile(new Uint8Array([0x7b, 0xff, 0x7d]), []), /not UTF-8 JSON/],
    [rawFile('{"w": ', []), /not UTF-8 JSON/],
    [rawFile("[1, 2]", []), /the header is a list, not a JSON object/],
    [rawFile("null", []), /the header is null, not a JSON object/],
    [rawFile({ w: [1] }, data), /"w" must be an object with dtype, shape and data_offsets/],
    [rawFile({ w: { shape: [2], data_offsets: [0, 8] } }, data), /"w" has no "dtype"/],
    [rawFile({ w: { ...ok.w, extra: 1 } }, data), /"w" has an unknown field "extra"/],
    [rawFile({ w: { ...ok.w, dtype: "F99" } }, data), /"w" has dtype "F99", which is not a safetensors dtype/],
    [rawFile({ w: { ...ok.w, dtype: "I64", shape: [1] } }, data), /"w" has dtype "I64", which paralens does not read/],
    [rawFile({ w: { ...ok.w, shape: 2 } }, data), /"w" has shape 2; a shape is a list/],
    [rawFile({ w: { ...ok.w, shape: [-2] } }, data), /"w" has shape \[-2\]/],
    [rawFile({ w: { ...ok.w, shape: [1.5] } }, data), /"w" has shape \[1.5\]/],
    [rawFile({ w: { ...ok.w, shape: [2 ** 53] } }, data), /"w" has shape \[9007199254740992\]/],
    [rawFile({ w: { ...ok.w, shape: [2 ** 30, 2 ** 30] } }, data), /"w" has shape \[1073741824, 1073741824\], too many elements/],
    [rawFile({ w: { ...ok.w, data_offsets: [0] } }, data), /"w" has data_offsets \[0\]; they are two whole numbers/],
    [rawFile({ w: { ...ok.w, data_offsets: [-8, 0] } }, data), /"w" has data_offsets \[-8,0\]/],
    [rawFile({ w: { ...ok.w, data_offsets: [8, 0] } }, data), /"w" has data_offsets \[8, 0\], which end before they begin/],
    [rawFile({ w: { ...ok.w, data_offsets: [4, 12] } }, data), /"w" has data_offsets \[4, 12\], past the end of the 8-byte data section/],
    [rawFile({ w: { ...ok.w, shape: [3] } }, data), /"w" is F32 \[3\] \(12 bytes\) but its data_offsets \[0, 8\] hold 8/],
    [rawFile({ w: ok.w, v: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, data), /"w" \(bytes 0-8\) overlaps "v"|"v" \(bytes 4-8\) overlaps "w"/],
    [rawFile({ w: { ...ok.w, shape: [1], data_offsets: [4, 8] } }, data), /bytes 0-4 of the data section, after the start of the data section, belong to no tensor/],
    [rawFile({ w: { ...ok.w, shape: [1], data_offsets: [0, 4] } }, data), /the data section has 8 bytes but its tensors cover 4/],
    [rawFile({ ...ok, __metadata__: { step: 3 } }, data), /"__metadata__" entry "step" is 3, not a string/],
    [rawFile({ ...ok, __metadata__: ["a"] }, data), /"__metadata__" must be an object of strings/],
    [rawFile({ "": ok.w }, data), /a tensor has an empty name/],
    // JSON.parse keeps the last of two equal names: the first one's bytes are then covered by nothing
    [rawFile('{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', data), /bytes 0-4 .* belong to no tensor/],
  ];
  for (const [bytes, pattern] of cases) {
    const err = assertThrows(() => decodeSafetensors(bytes), pattern);
    assertEqual(err.name, "ParalensError", err.message);
  }
  assertDeepEqual([...decodeSafetensors(rawFile(ok, data)).tensors.get("w")!.values], [1, 2], "the well-formed control decodes");
});

test('"__proto__" and "constructor" are ordinary tensor names, in and out', () => {
  const values = new Map([["__proto__", { shape: [1], values: [7] }], ["constructor", { shape: [1], values: [8] }], ["toString", { shape: [1], values: [9] }]]);
  const { tensors } = decodeSafetensors(encodeSafetensors(values, { metadata: new Map([["__proto__", "m"]]) }));
  assertDeepEqual([...tensors.keys()], ["__proto__", "constructor", "toString"]);
  assertEqual(tensors.get("__proto__")!.values[0], 7);
  assertEqual(tensors.get("constructor")!.values[0], 8);
  const hand = rawFile('{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "__metadata__": {"__proto__": "x"}}', [new Float32Array([5])]);
  const decoded = decodeSafetensors(hand);
  assertEqual(decoded.tensors.get("__proto__")!.values[0], 5);
  assertEqual(decoded.metadata.get("__proto__"), "x");
  assert(({} as Record<string, unknown>)["dtype"] === undefined, "Object.prototype is untouched");
  assertThrows(() => encodeSafetensors({ w: { shape: [3], values: [1, 2] } }), /"w" is \[3\] \(3 values\) but has 2/);
  assertThrows(() => encodeSafetensors(new Map([["__metadata__", { shape: [1], values: [1] }]])), /"__metadata__" cannot name a tensor/);
});
