// Names a checkpoint by its bytes, for the output of test/serve-online-child.ts.

/** FNV-1a of the bytes, in hex. */
export function hash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16);
}
