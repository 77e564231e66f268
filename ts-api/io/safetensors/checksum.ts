// A CRC-32 of a file's data section, kept in its "__metadata__": the format
// itself has none, so a flipped bit in a tensor's bytes would load as a
// silently different weight. paralens writes it and checks it when present;
// files from elsewhere (which lack it) load as before.
//
// CRC-32 as in zlib and PNG (reflected polynomial 0xEDB88320), byte-wise
// with a 256-entry table: crc32("123456789") = 0xCBF43926.

/** The metadata key holding the checksum, as 8 lowercase hex digits. */
export const CHECKSUM_KEY = "paralens.crc32";

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

/** The CRC-32 of some bytes. */
export function crc32(bytes: Uint8Array): number {
  const t = crcTable();
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The checksum as the metadata stores it. */
export function checksumText(bytes: Uint8Array): string {
  return crc32(bytes).toString(16).padStart(8, "0");
}
