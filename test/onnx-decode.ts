// A protobuf reader for the tests, independent of the library's writer, that
// reads back what an exported ONNX file holds: its versions, nodes,
// initializers and the shapes of its inputs and outputs. Only the fields
// paralens writes are read; everything else is skipped by wire type.

interface Field {
  readonly field: number;
  readonly wire: number;
  /** A varint (as a bigint, so int64s are exact), a fixed32's bytes, or a length-delimited field's bytes. */
  readonly value: bigint | Uint8Array;
}

function fields(bytes: Uint8Array): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[at++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (at < bytes.length) {
    const tag = Number(varint());
    const [field, wire] = [tag >>> 3, tag & 7];
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 5) out.push({ field, wire, value: bytes.subarray(at, (at += 4)) });
    else if (wire === 2) {
      const n = Number(varint());
      out.push({ field, wire, value: bytes.subarray(at, (at += n)) });
    } else throw new Error(`onnx-decode: wire type ${wire} at byte ${at}`);
  }
  return out;
}

const text = new TextDecoder();
const all = (m: Field[], f: number): Field[] => m.filter((x) => x.field === f);
const one = (m: Field[], f: number): Field | undefined => m.find((x) => x.field === f);
const str = (m: Field[], f: number): string => text.decode((one(m, f)?.value as Uint8Array | undefined) ?? new Uint8Array());
const int = (m: Field[], f: number): number => Number((one(m, f)?.value as bigint | undefined) ?? 0n);
const ints = (m: Field[], f: number): number[] => all(m, f).map((x) => Number(BigInt.asIntN(64, x.value as bigint)));
const sub = (x: Field): Field[] => fields(x.value as Uint8Array);

export interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  values: number[];
}

function tensor(m: Field[]): DecodedTensor {
  const dataType = int(m, 2);
  const raw = (one(m, 9)?.value as Uint8Array | undefined) ?? new Uint8Array();
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const width = dataType === 1 ? 4 : 8;
  const values = Array.from({ length: raw.byteLength / width }, (_, i) => (dataType === 1 ? view.getFloat32(4 * i, true) : Number(view.getBigInt64(8 * i, true))));
  return { name: str(m, 8), dims: ints(m, 1), dataType, values };
}

export type DecodedAttribute = { int: number } | { float: number } | { ints: number[] } | { tensor: DecodedTensor };

function attribute(m: Field[]): [string, DecodedAttribute] {
  const type = int(m, 20);
  const name = str(m, 1);
  if (type === 1) return [name, { float: new DataView((one(m, 2)!.value as Uint8Array).slice().buffer).getFloat32(0, true) }];
  if (type === 2) return [name, { int: ints(m, 3)[0]! }];
  if (type === 7) return [name, { ints: ints(m, 8) }];
  return [name, { tensor: tensor(sub(one(m, 5)!)) }];
}

function valueInfo(m: Field[]): { name: string; type: number; shape: number[] } {
  const tensorType = sub(one(sub(one(m, 2)!), 1)!);
  return { name: str(m, 1), type: int(tensorType, 1), shape: all(sub(one(tensorType, 2)!), 1).map((d) => int(sub(d), 1)) };
}

/** What an ONNX file holds, as far as paralens writes it. */
export function decodeModel(bytes: Uint8Array) {
  const model = fields(bytes);
  const graph = sub(one(model, 7)!);
  const opset = sub(one(model, 8)!);
  return {
    irVersion: int(model, 1),
    producer: str(model, 2),
    opset: { domain: str(opset, 1), version: int(opset, 2) },
    graph: {
      name: str(graph, 2),
      nodes: all(graph, 1).map(sub).map((n) => ({
        op: str(n, 4),
        name: str(n, 3),
        inputs: all(n, 1).map((x) => text.decode(x.value as Uint8Array)),
        outputs: all(n, 2).map((x) => text.decode(x.value as Uint8Array)),
        attributes: Object.fromEntries(all(n, 5).map(sub).map(attribute)),
      })),
      initializers: all(graph, 5).map(sub).map(tensor),
      inputs: all(graph, 11).map(sub).map(valueInfo),
      outputs: all(graph, 12).map(sub).map(valueInfo),
      valueInfo: all(graph, 13).map(sub).map(valueInfo),
    },
  };
}
