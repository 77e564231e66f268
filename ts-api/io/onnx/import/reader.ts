// The protobuf wire format read back, for ONNX files: every read is checked
// against the end of its message, so a truncated or forged length is an
// error naming what was being read, never a read past the buffer.
import { ParalensError } from "../../../engine/errors.ts";

/** One field of a message: its number, wire type and where its payload is. */
export interface Field {
  readonly field: number;
  readonly wire: 0 | 1 | 2 | 5;
  /** wire 0: the varint's value (an int64 as a JS number: exact up to 2^53, negatives by two's complement). */
  readonly int: number;
  /** wire 1, 2 and 5: the payload's bytes. */
  readonly bytes: Uint8Array;
}


/** A message's fields, in order; `what` names the message in errors. */
export function readFields(buf: Uint8Array, what: string): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    const start = pos;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ParalensError(`fromOnnx: ${what} ends inside a varint (byte ${pos} of ${buf.length})`);
      const b = buf[pos++]!;
      value += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) return i < 7 ? value : wide(start, i + 1);
    }
    throw new ParalensError(`fromOnnx: ${what} has a varint longer than 64 bits`);
  };
  // beyond 49 bits a float loses bits: an int64 (a negative one is ten bytes) read exactly, then as a number
  const wide = (start: number, length: number): number => {
    let v = 0n;
    for (let i = length - 1; i >= 0; i--) v = (v << 7n) | BigInt(buf[start + i]! & 0x7f);
    return Number(BigInt.asIntN(64, v));
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field < 1) throw new ParalensError(`fromOnnx: ${what} has a field numbered ${field}`);
    if (wire === 0) fields.push({ field, wire, int: varint(), bytes: buf.subarray(0, 0) });
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > buf.length) throw new ParalensError(`fromOnnx: ${what} ends inside a ${8 * n}-bit field ${field}`);
      fields.push({ field, wire, int: 0, bytes: buf.subarray(pos, pos + n) });
      pos += n;
    } else if (wire === 2) {
      const n = varint();
      if (n < 0 || pos + n > buf.length) {
        throw new ParalensError(`fromOnnx: ${what}'s field ${field} claims ${n} bytes but ${buf.length - pos} remain`);
      }
      fields.push({ field, wire, int: 0, bytes: buf.subarray(pos, pos + n) });
      pos += n;
    } else throw new ParalensError(`fromOnnx: ${what} has field ${field} of wire type ${wire}, which ONNX does not use (a damaged file?)`);
  }
  return fields;
}

/** A length-delimited field as UTF-8 text, at most `max` bytes. */
export function text(f: Field, what: string, max = 4096): string {
  if (f.wire !== 2) throw new ParalensError(`fromOnnx: ${what} should be a string`);
  if (f.bytes.length > max) throw new ParalensError(`fromOnnx: ${what} is ${f.bytes.length} bytes long, more than ${max}`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(f.bytes);
  } catch {
    throw new ParalensError(`fromOnnx: ${what} is not valid UTF-8`);
  }
}

/** A repeated int64 field's values: unpacked (one field each) or packed (one length-delimited run). */
export function ints(f: Field, what: string): number[] {
  if (f.wire === 0) return [f.int];
  if (f.wire !== 2) throw new ParalensError(`fromOnnx: ${what} should be integers`);
  return readFields(packedAsFields(f.bytes), what).map((g) => g.int);
}

// a packed run of varints read as a message of field-1 varints: each value gets the tag byte 8
function packedAsFields(run: Uint8Array): Uint8Array {
  const out: number[] = [];
  let start = true;
  for (const b of run) {
    if (start) out.push(8);
    out.push(b);
    start = b < 0x80;
  }
  return Uint8Array.from(out);
}

/** A repeated float field's values, unpacked or packed. */
export function floats(f: Field, what: string): number[] {
  if (f.wire === 5) return [new DataView(f.bytes.buffer, f.bytes.byteOffset, 4).getFloat32(0, true)];
  if (f.wire !== 2 || f.bytes.length % 4 !== 0) throw new ParalensError(`fromOnnx: ${what} should be 32-bit floats`);
  const view = new DataView(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length);
  return Array.from({ length: f.bytes.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
}
