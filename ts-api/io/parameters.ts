// A small binary format for named parameters, so a trained model can be
// saved and loaded into the same model rebuilt from code (the model is code;
// the file holds only its leaves):
//
//   bytes 0-3   "PLNS"
//   bytes 4-7   format version (u32, little-endian) = 1
//   bytes 8-11  header length H in bytes (u32, little-endian)
//   H bytes     UTF-8 JSON: [{ "name": string, "shape": number[] }, ...]
//   then        the values, float32 little-endian, in header order
//
// Decoding checks everything before returning anything: a truncated,
// oversized or inconsistent file is rejected with a message that says why.
import { ParalensError, fmtShape } from "../engine/errors.ts";

const MAGIC = [0x50, 0x4c, 0x4e, 0x53]; // "PLNS"
const VERSION = 1;

export type Parameters = Record<string, Float32Array>;

/** Encodes named parameters (e.g. learner.parameters()) with their shapes. */
export function encodeParameters(values: Readonly<Record<string, ArrayLike<number>>>, shapes: Readonly<Record<string, readonly number[]>>): Uint8Array {
  const entries = Object.keys(values).map((name) => {
    const shape = shapes[name];
    if (shape === undefined) throw new ParalensError(`encodeParameters: no shape given for "${name}"`);
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== values[name]!.length) throw new ParalensError(`encodeParameters: "${name}" is ${fmtShape(shape)} (${size} values) but has ${values[name]!.length}`);
    return { name, shape: [...shape] };
  });
  const header = new TextEncoder().encode(JSON.stringify(entries));
  const count = entries.reduce((n, e) => n + values[e.name]!.length, 0);
  const bytes = new Uint8Array(12 + header.length + 4 * count);
  const view = new DataView(bytes.buffer);
  bytes.set(MAGIC, 0);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  bytes.set(header, 12);
  let at = 12 + header.length;
  for (const e of entries) {
    for (const v of Array.from(values[e.name]!)) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return bytes;
}

/** Decodes a parameter file into named arrays and shapes, or throws saying what is wrong with it. */
export function decodeParameters(bytes: Uint8Array): { values: Parameters; shapes: Record<string, number[]> } {
  const bad = (why: string): ParalensError => new ParalensError(`decodeParameters: not a valid parameter file: ${why}`);
  if (bytes.length < 12) throw bad(`${bytes.length} bytes is shorter than the 12-byte preamble`);
  if (MAGIC.some((m, i) => bytes[i] !== m)) throw bad('it does not start with "PLNS"');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw bad(`format version ${version}; this library reads version ${VERSION}`);
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length) throw bad(`the header claims ${headerLength} bytes but the file has ${bytes.length - 12} after the preamble`);
  let entries: unknown;
  try {
    entries = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(12, 12 + headerLength)));
  } catch (e) {
    throw bad(`the header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(entries)) throw bad("the header is not a list");
  const names = new Set<string>();
  let total = 0;
  const checked = entries.map((e: unknown, i) => {
    const { name, shape } = (e ?? {}) as { name?: unknown; shape?: unknown };
    if (typeof name !== "string" || name === "") throw bad(`entry ${i} has no name`);
    if (names.has(name)) throw bad(`"${name}" appears twice`);
    names.add(name);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`"${name}" has no valid shape`);
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    total += size;
    return { name, shape: shape as number[], size };
  });
  const expected = 12 + headerLength + 4 * total;
  if (bytes.length !== expected) throw bad(`the header describes ${total} values (${expected} bytes in all) but the file has ${bytes.length} bytes`);
  const values: Parameters = {};
  const shapes: Record<string, number[]> = {};
  let at = 12 + headerLength;
  for (const { name, shape, size } of checked) {
    const a = new Float32Array(size);
    for (let i = 0; i < size; i++, at += 4) a[i] = view.getFloat32(at, true);
    values[name] = a;
    shapes[name] = shape;
  }
  return { values, shapes };
}
