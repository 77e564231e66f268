// The protocol-buffer wire format, as far as an ONNX file needs it: varints
// (int64, int32 and enums), fixed 32-bit floats and length-delimited fields
// (strings, bytes, nested messages). Fields are written in the order given;
// repeated scalars unpacked, as onnx.proto (proto2) declares them. Reading,
// for fromOnnx, is import/reader.ts: it checks every length it meets.

const utf8 = new TextEncoder();

/** One message being written. `finish()` gives its bytes, to nest in another with `message()`. */
export class ProtoWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(2 * this.buffer.length, this.length + n));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** A base-128 varint. Negative numbers are their 64-bit two's complement (ten bytes), as int64 fields require. */
  private varint(v: number): void {
    if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: ${v} is not a whole number a varint can hold exactly`);
    this.reserve(10);
    if (v < 0) {
      let u = BigInt.asUintN(64, BigInt(v));
      while (u >= 0x80n) {
        this.buffer[this.length++] = Number(u & 0x7fn) | 0x80;
        u >>= 7n;
      }
      this.buffer[this.length++] = Number(u);
      return;
    }
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.length++] = v;
  }

  private tag(field: number, wireType: 0 | 2 | 5): void {
    this.varint(field * 8 + wireType);
  }

  /** An int64, int32 or enum field. */
  int(field: number, v: number): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  /** A float field (fixed 32 bits, little-endian). */
  float(field: number, v: number): this {
    this.tag(field, 5);
    this.reserve(4);
    new DataView(this.buffer.buffer).setFloat32(this.length, v, true);
    this.length += 4;
    return this;
  }

  /** A bytes field. */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, 2);
    this.varint(data.length);
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** A string field, UTF-8. */
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** A nested message field. */
  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  /** The message's bytes so far. */
  finish(): Uint8Array<ArrayBuffer> {
    return this.buffer.slice(0, this.length);
  }
}
