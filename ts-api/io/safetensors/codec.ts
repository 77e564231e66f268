// Whole safetensors files to and from named f32 tensors. The header is
// checked in full (header.ts) before any tensor byte is read; tensors are
// written in the order given, with the header padded by spaces to a multiple
// of 8 bytes so that every tensor is aligned in the file.
import { ParalensError, describe, fmtShape, optionsArgument } from "../../engine/errors.ts";
import { CHECKSUM_KEY, CHECKSUM_PREFIX, FORMAT_KEY, FORMAT_VERSION, fileChecksum, hex, occurrences } from "./checksum.ts";
import { convertInto, floatToHalf } from "./dtypes.ts";
import { type ReadOptions, type SafetensorsDtype, type SafetensorsEntry, readSafetensorsHeader } from "./header.ts";

const isList = (v: unknown): v is ArrayLike<unknown> => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));

/**
 * A tensor to write: its shape and its values in row-major order.
 *
 * @category IO
 */
export interface TensorData {
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/**
 * A tensor read from a file: its values converted to f32, with the dtype it was stored in.
 *
 * @category IO
 */
export interface DecodedTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/**
 * Options of `encodeSafetensors`: the stored dtype and metadata. Every file gets
 * "paralens.format" and "paralens.checksum" (a CRC-32 of the whole file, see checksum.ts)
 * in its metadata; those two keys are paralens's own.
 *
 * @category IO
 */
export interface EncodeOptions {
  /** "F32" (default) or "F16" (rounded to nearest, ties to even; overflow becomes Inf). */
  dtype?: "F32" | "F16";
  /** String-to-string metadata, stored under "__metadata__". */
  metadata?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
}

type Named<T> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

function pairs<T>(named: Named<T>): [string, T][] {
  return named instanceof Map ? [...named] : Object.entries(named as Record<string, T>);
}

/**
 * Encodes named tensors as a safetensors file.
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensors({ w: { shape: [2, 2], values: [1, 2, 3, 4] } }, { metadata: { note: "x" } });
 * decodeSafetensors(bytes).tensors.get("w")!.values; // Float32Array [1, 2, 3, 4]
 * ```
 *
 * @category IO
 */
export function encodeSafetensors(tensors: Named<TensorData>, options: EncodeOptions = {}): Uint8Array<ArrayBuffer> {
  optionsArgument("encodeSafetensors", options);
  const dtype = checkedDtype(options.dtype);
  const metadata = options.metadata === undefined ? [] : pairs(options.metadata);
  for (const [k, v] of metadata) {
    if (typeof v !== "string") throw new ParalensError(`encodeSafetensors: metadata "${k}" must be a string, got ${typeof v}`);
    if (k === CHECKSUM_KEY || k === FORMAT_KEY) throw new ParalensError(`encodeSafetensors: metadata "${k}" is written by paralens itself; leave it out`);
  }
  if (typeof tensors !== "object" || tensors === null) throw new ParalensError(`encodeSafetensors: expected named tensors (a Map or an object of { shape, values }), got ${describe(tensors)}`);
  const list = pairs(tensors);
  for (const [name, t] of list) {
    checkName(name);
    if (typeof t !== "object" || t === null || !Array.isArray(t.shape) || !isList(t.values)) throw new ParalensError(`encodeSafetensors: "${name}" must be { shape, values } (an array of whole numbers, and an array or typed array of numbers), got ${describe(t)}`);
    if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ParalensError(`encodeSafetensors: "${name}" has shape ${fmtShape(t.shape)}; a shape holds whole numbers >= 0`);
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length) throw new ParalensError(`encodeSafetensors: "${name}" is ${fmtShape(t.shape)} (${size} values) but has ${t.values.length}`);
    // a typed array holds numbers; in a plain array a string or null would be written as NaN or 0
    if (!ArrayBuffer.isView(t.values)) {
      const bad = (t.values as readonly unknown[]).findIndex((v) => typeof v !== "number");
      if (bad >= 0) throw new ParalensError(`encodeSafetensors: "${name}" value ${bad} is ${describe(t.values[bad])}; values must be numbers`);
    }
  }
  return writeSafetensors(list, dtype, metadata);
}

/** Throws unless `name` can name a tensor of a file (the header's own key, and the empty name, cannot). */
export function checkName(name: string): void {
  if (name === "" || name === "__metadata__") throw new ParalensError(`encodeSafetensors: ${JSON.stringify(name)} cannot name a tensor`);
}

/** The dtype a file is written in: F32 unless F16 is asked for; anything else is refused. */
export function checkedDtype(dtype: unknown = "F32"): "F32" | "F16" {
  if (dtype !== "F32" && dtype !== "F16") throw new ParalensError(`encodeSafetensors: dtype must be "F32" or "F16", got ${describe(dtype)}`);
  return dtype;
}

/**
 * The file of tensors and metadata that are well formed: checked by encodeSafetensors, or made so
 * (a learner's own tensors), which is why a learner's save does not carry encodeSafetensors's checks.
 */
export function writeSafetensors(list: readonly (readonly [string, TensorData])[], dtype: "F32" | "F16", metadata: readonly (readonly [string, string])[]): Uint8Array<ArrayBuffer> {
  const itemBytes = dtype === "F32" ? 4 : 2;
  // Built on a null-prototype object so that any name, "__proto__" included, is an own key of the JSON.
  const header: Record<string, unknown> = Object.create(null);
  const m: Record<string, string> = Object.create(null);
  for (const [k, v] of metadata) m[k] = v;
  // the checksum's digits are filled in once the whole file is laid out
  m[FORMAT_KEY] = FORMAT_VERSION;
  m[CHECKSUM_KEY] = "00000000";
  header["__metadata__"] = m;
  let at = 0;
  for (const [name, t] of list) {
    const size = t.values.length;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [at, at + size * itemBytes] };
    at += size * itemBytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const data = new Uint8Array(at);
  const bytes = new Uint8Array(8 + headerLength + at);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, headerLength, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  let offset = 0;
  for (const [, t] of list) {
    const n = t.values.length;
    if (dtype === "F32") new Float32Array(data.buffer, offset, n).set(t.values);
    else {
      const out = new Uint16Array(data.buffer, offset, n);
      for (let i = 0; i < n; i++) out[i] = floatToHalf(t.values[i]!);
    }
    offset += n * itemBytes;
  }
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  bytes.set(data, 8 + headerLength);
  // names and metadata are JSON-escaped strings, so the prefix occurs once: as the key itself
  const [at0] = occurrences(bytes, CHECKSUM_PREFIX, 8, 8 + json.length);
  const digits = at0! + CHECKSUM_PREFIX.length;
  bytes.set(new TextEncoder().encode(hex(fileChecksum(bytes, digits))), digits);
  return bytes;
}

/**
 * Decodes a safetensors file (F32, F16, BF16 or F64 tensors, converted to f32), after checking its
 * header in full and its checksum when it has one (or must have one: `{ requireChecksum: true }`).
 * The bytes are a Uint8Array or an ArrayBuffer (what `fetch(...).arrayBuffer()` gives).
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensors({ w: { shape: [2], values: [1, 2] } });
 * decodeSafetensors(bytes, { requireChecksum: true }).tensors.get("w")!.shape;  // [2]
 * ```
 *
 * @category IO
 */
export function decodeSafetensors(bytes: Uint8Array | ArrayBuffer, options: ReadOptions = {}): { tensors: Map<string, DecodedTensor>; metadata: Map<string, string> } {
  optionsArgument("decodeSafetensors", options);
  if (bytes instanceof ArrayBuffer) bytes = new Uint8Array(bytes);
  if (!(bytes instanceof Uint8Array)) throw new ParalensError(`decodeSafetensors: expected the bytes of a safetensors file (a Uint8Array or an ArrayBuffer), got ${describe(bytes)}`);
  const header = readSafetensorsHeader(bytes, options);
  const tensors = new Map<string, DecodedTensor>();
  for (const e of header.entries) tensors.set(e.name, { dtype: e.dtype, shape: e.shape, values: readTensor(bytes, e) });
  return { tensors, metadata: new Map(header.metadata) };
}

/** Reads one checked entry into `target` (by default a new array): one pass over its bytes. */
export function readTensor(bytes: Uint8Array, entry: SafetensorsEntry, target: Float32Array = new Float32Array(entry.size)): Float32Array {
  if (target.length !== entry.size) throw new ParalensError(`readTensor: "${entry.name}" has ${entry.size} values but the target holds ${target.length}`);
  convertInto(bytes, entry.begin, entry.size, entry.dtype, target);
  return target;
}
