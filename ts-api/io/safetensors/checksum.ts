// A CRC-32 of the whole file, kept in its "__metadata__": the format itself
// has none, so a flipped bit in a tensor's bytes, or in the header's offsets,
// would load as silently different weights.
//
// What it covers: every byte of the file, the 8-byte length, the header
// (spaces of its padding included) and the data, with the 8 hex digits of the
// checksum's own value read as "00000000". Those digits are found in the
// header's bytes as paralens writes them, `"paralens.checksum":"<8 digits>"`,
// which must occur exactly once. paralens marks what it writes with
// "paralens.format", covered like everything else, so a file that says
// paralens wrote it but has no checksum (a key renamed, say) is refused.
// Files from elsewhere (PyTorch's) have neither and load unless the reader
// asks for a checksum. A CRC finds damage and edits; it is no signature: whoever
// changes a file on purpose can recompute it.
//
// Older paralens wrote "paralens.crc32", a CRC-32 of the data section only;
// such files load if it matches (see LEGACY_CHECKSUM_KEY), and are refused
// when a checksum is required.
//
// CRC-32 as in zlib and PNG (reflected polynomial 0xEDB88320), byte-wise
// with a 256-entry table: crc32("123456789") = 0xCBF43926.

/** The metadata key holding the file's checksum, as 8 lowercase hex digits. */
export const CHECKSUM_KEY = "paralens.checksum";
/** The metadata key marking a file paralens wrote; its value is the layout's version. */
export const FORMAT_KEY = "paralens.format";
export const FORMAT_VERSION = "2";
/** The key of older paralens files: a CRC-32 of the data section only. */
export const LEGACY_CHECKSUM_KEY = "paralens.crc32";

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table !== undefined) return table;
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return (table = t);
}

/** Carries a running CRC-32 `crc` (0 to start) over bytes [from, to). */
export function crc32(bytes: Uint8Array, crc = 0, from = 0, to = bytes.length): number {
  const t = crcTable();
  let c = ~crc >>> 0;
  for (let i = from; i < to; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The checksum as the metadata stores it. */
export function hex(crc: number): string {
  return crc.toString(16).padStart(8, "0");
}

const ZEROS = new TextEncoder().encode("00000000");
/** The bytes that precede the checksum's digits in a header paralens wrote. */
export const CHECKSUM_PREFIX = new TextEncoder().encode(`"${CHECKSUM_KEY}":"`);

/** The CRC-32 of a whole file whose checksum digits start at byte `digits` (read as zeros). */
export function fileChecksum(bytes: Uint8Array, digits: number): number {
  let c = crc32(bytes, 0, 0, digits);
  c = crc32(ZEROS, c);
  return crc32(bytes, c, digits + 8);
}

/** Where `needle` occurs in bytes [from, to): every start. */
export function occurrences(bytes: Uint8Array, needle: Uint8Array, from: number, to: number): number[] {
  const found: number[] = [];
  const first = needle[0]!;
  outer: for (let i = bytes.indexOf(first, from); i >= 0 && i + needle.length <= to; i = bytes.indexOf(first, i + 1)) {
    for (let k = 1; k < needle.length; k++) if (bytes[i + k] !== needle[k]) continue outer;
    found.push(i);
  }
  return found;
}
