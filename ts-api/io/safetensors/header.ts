// The safetensors header (https://huggingface.co/docs/safetensors), read and
// checked in full before any tensor byte is touched:
//
//   bytes 0-7   N, the header's length (u64, little-endian)
//   N bytes     UTF-8 JSON object: { "<name>": { "dtype", "shape", "data_offsets": [begin, end] },
//                                    "__metadata__"?: { "<key>": "<string>" } }
//   the rest    the data section; offsets are relative to its start
//
// A file comes from anywhere, so nothing in it is trusted: the length is
// bounded before the JSON is decoded, every entry is checked against the
// data section, and the byte ranges must tile it exactly (no overlap, no
// gap), which also catches a header whose JSON repeated a name (JSON.parse
// keeps the last one, leaving the other's bytes uncovered). Names go into a
// Map, so "__proto__" or "constructor" are ordinary names.
import { ParalensError, describe, fmtShape, optionsArgument } from "../../engine/errors.ts";
import { CHECKSUM_KEY, CHECKSUM_PREFIX, FORMAT_KEY, LEGACY_CHECKSUM_KEY, crc32, fileChecksum, hex, occurrences } from "./checksum.ts";

/**
 * The element types paralens reads (all converted to f32); it writes F32 and F16.
 *
 * @category IO
 */
export type SafetensorsDtype = "F32" | "F16" | "BF16" | "F64";

export const BYTES_PER_ELEMENT: Readonly<Record<SafetensorsDtype, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** The other dtypes of the format: named in messages, so that a file paralens cannot read says why. */
const UNSUPPORTED = new Set(["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"]);

/**
 * Headers longer than this are refused before they are decoded (the reference implementation's cap is the same 100 MB).
 *
 * @category IO
 */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * One tensor listed in a safetensors header: name, dtype, shape and where its bytes lie.
 *
 * @category IO
 */
export interface SafetensorsEntry {
  /** The tensor's name, e.g. "0.weight". */
  readonly name: string;
  /** How its elements are stored ("F32", "F16", ...). */
  readonly dtype: SafetensorsDtype;
  /** Its dimensions. */
  readonly shape: readonly number[];
  /** Number of elements (the product of the shape). */
  readonly size: number;
  /** Byte range in the whole file (the header's offsets plus the data section's start). */
  readonly begin: number;
  /** End of the byte range (exclusive). */
  readonly end: number;
}

/**
 * A safetensors file's header, read and checked without touching the data section.
 *
 * @category IO
 */
export interface SafetensorsHeader {
  /** The tensors in the order of their bytes in the data section. */
  readonly entries: readonly SafetensorsEntry[];
  /** The same entries by name. */
  readonly byName: ReadonlyMap<string, SafetensorsEntry>;
  /** The "__metadata__" strings (empty if none). */
  readonly metadata: ReadonlyMap<string, string>;
}

/**
 * Options of reading a safetensors file.
 *
 * @category IO
 */
export interface ReadOptions {
  /**
   * Refuse a file without a "paralens.checksum" (one from PyTorch, say, or from an older paralens).
   * Default false: such a file loads, unless its metadata says paralens wrote it.
   */
  requireChecksum?: boolean;
}

const ENTRY_KEYS = new Set(["dtype", "shape", "data_offsets"]);

function fail(why: string): ParalensError {
  return new ParalensError(`safetensors: ${why}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const own = (o: object, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/**
 * Reads and checks a safetensors header, and the file's checksum (see ReadOptions); throws a
 * ParalensError naming the entry and value at fault.
 *
 * @example
 * ```ts
 * const bytes = encodeSafetensors({ w: { shape: [2, 2], values: [1, 2, 3, 4] } });
 * readSafetensorsHeader(bytes).byName.get("w")!.shape;  // [2, 2]
 * ```
 *
 * @category IO
 */
export function readSafetensorsHeader(bytes: Uint8Array, options: ReadOptions = {}): SafetensorsHeader {
  optionsArgument("readSafetensorsHeader", options);
  if (!(bytes instanceof Uint8Array)) throw new ParalensError(`readSafetensorsHeader: expected the bytes of a safetensors file (a Uint8Array), got ${describe(bytes)}`);
  if (bytes.length < 8) throw fail(`the file has ${bytes.length} bytes, fewer than the 8 of the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const headerLength = high * 2 ** 32 + low; // exact while below 2^53; larger is refused below anyway
  if (headerLength > MAX_HEADER_BYTES) throw fail(`the header length ${headerLength} is over the limit of ${MAX_HEADER_BYTES} bytes`);
  if (8 + headerLength > bytes.length) throw fail(`the header length ${headerLength} runs past the end of the file (${bytes.length - 8} bytes follow the length)`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (e) {
    throw fail(`the header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) throw fail(`the header is ${Array.isArray(json) ? "a list" : String(json === null ? "null" : typeof json)}, not a JSON object`);

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata = new Map<string, string>();
  const entries: SafetensorsEntry[] = [];
  for (const name of Object.keys(json)) {
    const value = json[name];
    if (name === "__metadata__") {
      if (!isObject(value)) throw fail(`"__metadata__" must be an object of strings`);
      for (const key of Object.keys(value)) {
        if (typeof value[key] !== "string") throw fail(`"__metadata__" entry "${key}" is ${JSON.stringify(value[key])}, not a string`);
        metadata.set(key, value[key] as string);
      }
      continue;
    }
    entries.push(readEntry(name, value, dataStart, dataLength));
  }

  // The byte ranges must tile the data section: sorted by start, each begins where the last ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = dataStart;
  let previous = "the start of the data section";
  for (const e of entries) {
    if (e.begin < at) throw fail(`"${e.name}" (bytes ${e.begin - dataStart}-${e.end - dataStart}) overlaps ${previous}`);
    if (e.begin > at) throw fail(`bytes ${at - dataStart}-${e.begin - dataStart} of the data section, after ${previous}, belong to no tensor`);
    at = e.end;
    previous = `"${e.name}"`;
  }
  if (at !== bytes.length) throw fail(`the data section has ${dataLength} bytes but its tensors cover ${at - dataStart}`);
  checkChecksum(bytes, headerLength, metadata, options?.requireChecksum === true);
  return { entries, byName: new Map(entries.map((e) => [e.name, e])), metadata };
}

/** Checks the file's checksum when it has one, and that it has one when paralens wrote it or the reader requires it. */
function checkChecksum(bytes: Uint8Array, headerLength: number, metadata: ReadonlyMap<string, string>, required: boolean): void {
  const expected = metadata.get(CHECKSUM_KEY);
  if (expected === undefined) {
    const legacy = metadata.has(FORMAT_KEY) ? undefined : metadata.get(LEGACY_CHECKSUM_KEY);
    const ours = metadata.get("format") === "paralens" || [...metadata.keys()].some((k) => k.startsWith("paralens."));
    if (required || (ours && legacy === undefined)) throw fail(`the file has no "${CHECKSUM_KEY}"${ours ? ", though its metadata says paralens wrote it" : ""}${required ? ", and a checksum is required" : ""}`);
    const actual = legacy && hex(crc32(bytes, 0, 8 + headerLength));
    if (actual !== legacy) throw fail(`the data section's CRC-32 is ${actual} but "${LEGACY_CHECKSUM_KEY}" records ${JSON.stringify(legacy!.slice(0, 16))}: the file was changed or damaged after it was written`);
    return;
  }
  const at = occurrences(bytes, CHECKSUM_PREFIX, 8, 8 + headerLength);
  const digits = at[0]! + CHECKSUM_PREFIX.length;
  // once, so that the digits JSON.parse read are the ones the CRC skips
  if (!/^[0-9a-f]{8}$/.test(expected) || at.length !== 1 || new TextDecoder().decode(bytes.subarray(digits, digits + 9)) !== `${expected}"`) {
    throw fail(`"${CHECKSUM_KEY}" is ${JSON.stringify(expected.slice(0, 16))}; it must appear in the header once, as ${new TextDecoder().decode(CHECKSUM_PREFIX)}<8 lowercase hex digits>"`);
  }
  const actual = hex(fileChecksum(bytes, digits));
  if (actual !== expected) throw fail(`the file's CRC-32 is ${actual} but "${CHECKSUM_KEY}" records ${expected}: the file was changed or damaged after it was written`);
}

function readEntry(name: string, value: unknown, dataStart: number, dataLength: number): SafetensorsEntry {
  const what = `"${name}"`;
  if (name === "") throw fail("a tensor has an empty name");
  if (!isObject(value)) throw fail(`${what} must be an object with dtype, shape and data_offsets, got ${JSON.stringify(value)}`);
  for (const key of ENTRY_KEYS) if (!own(value, key)) throw fail(`${what} has no "${key}"`);
  for (const key of Object.keys(value)) if (!ENTRY_KEYS.has(key)) throw fail(`${what} has an unknown field "${key}"`);
  const { dtype, shape, data_offsets: offsets } = value as { dtype: unknown; shape: unknown; data_offsets: unknown };
  if (typeof dtype !== "string" || !own(BYTES_PER_ELEMENT, dtype)) {
    const why = typeof dtype === "string" && UNSUPPORTED.has(dtype) ? "which paralens does not read" : "which is not a safetensors dtype";
    throw fail(`${what} has dtype ${JSON.stringify(dtype)}, ${why} (it reads F32, F16, BF16 and F64)`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw fail(`${what} has shape ${JSON.stringify(shape)}; a shape is a list of whole numbers >= 0`);
  }
  let size = 1;
  for (const d of shape as number[]) size *= d;
  const itemBytes = BYTES_PER_ELEMENT[dtype as SafetensorsDtype];
  if (!Number.isSafeInteger(size * itemBytes)) throw fail(`${what} has shape ${fmtShape(shape)}, too many elements`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw fail(`${what} has data_offsets ${JSON.stringify(offsets)}; they are two whole numbers [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw fail(`${what} has data_offsets [${begin}, ${end}], which end before they begin`);
  if (end > dataLength) throw fail(`${what} has data_offsets [${begin}, ${end}], past the end of the ${dataLength}-byte data section`);
  if (end - begin !== size * itemBytes) {
    throw fail(`${what} is ${dtype} ${fmtShape(shape)} (${size * itemBytes} bytes) but its data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], size, begin: dataStart + begin, end: dataStart + end };
}
