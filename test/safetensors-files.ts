// Hand-built safetensors files for tests: any header (even a malformed one)
// followed by raw data bytes, laid out exactly as given.

/** The f32 bit patterns of some values, for bit-exact comparisons (NaN payloads and -0 included). */
export function bits(values: Float32Array): number[] {
  return [...new Uint32Array(values.buffer, values.byteOffset, values.length)];
}

/** A file from a header (an object, JSON text or raw bytes) and data chunks concatenated in order. */
export function rawFile(header: object | string | Uint8Array, chunks: readonly ArrayBufferView[]): Uint8Array {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const dataLength = chunks.reduce((n, c) => n + c.byteLength, 0);
  const bytes = new Uint8Array(8 + json.length + dataLength);
  new DataView(bytes.buffer).setUint32(0, json.length, true);
  bytes.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    bytes.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), at);
    at += c.byteLength;
  }
  return bytes;
}
