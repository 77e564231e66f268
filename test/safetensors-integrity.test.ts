// The checksum of a safetensors file: it covers every byte (header and data),
// a file paralens wrote cannot switch it off (renaming or dropping it is
// refused), files from elsewhere load without one unless one is required,
// and files of older paralens load if their data-only checksum matches.
import { test } from "./harness.ts";
import { assert, assertDeepEqual, assertEqual, assertRejects, assertThrows } from "./assert.ts";
import {
  ParalensError, adam, dense, init, seq, softmaxCrossEntropy, supervised, layers,
} from "../ts-api/index.ts";
import { decodeSafetensors, encodeSafetensors, readSafetensorsHeader } from "../ts-api/io/index.ts";
import { crc32, hex } from "../ts-api/io/safetensors/checksum.ts";
import { bits, rawFile } from "./safetensors-files.ts";

await init();

const build = (seed: number) => supervised(seq(dense(3, 4), layers.tanh, dense(4, 2)), { loss: softmaxCrossEntropy, optimiser: adam({ lr: 0.01 }), seed });
const trained = build(1);
trained.step([[1, 2, 3], [0, -1, 0.5]], [0, 1]);
const file = await trained.save();
const state = (l: ReturnType<typeof build>): number[][] => l.state.map((t) => bits(t.data));

/** `bytes` with every occurrence of the ASCII text `from` replaced by `to` (the same length). */
function replaceText(bytes: Uint8Array, from: string, to: string): Uint8Array {
  assertEqual(from.length, to.length);
  const out = bytes.slice();
  const text = new TextDecoder("latin1").decode(bytes);
  let found = 0;
  for (let at = text.indexOf(from); at >= 0; at = text.indexOf(from, at + 1), found++) out.set(new TextEncoder().encode(to), at);
  assert(found > 0, `"${from}" is in the file`);
  return out;
}

/** Loads `bad` into a fresh learner: it must be refused by `pattern`, leaving the learner as it was. */
async function refused(bad: Uint8Array, pattern: RegExp, options = {}): Promise<void> {
  const l = build(2);
  const before = state(l);
  const err = await assertRejects(() => l.load(bad, options), pattern);
  assert(err instanceof ParalensError, `a ParalensError: ${err.message}`);
  assertDeepEqual(state(l), before, `the learner is unchanged after ${pattern}`);
  l.dispose();
}

test("paralens marks what it writes and checks it on reading", async () => {
  const { metadata } = decodeSafetensors(file, { requireChecksum: true });
  assertEqual(metadata.get("paralens.format"), "2");
  assert(/^[0-9a-f]{8}$/.test(metadata.get("paralens.checksum")!), "8 lowercase hex digits");
  const l = build(2);
  await l.load(file, { requireChecksum: true });
  assertDeepEqual(state(l), state(trained), "the file loads");
  l.dispose();
  assertThrows(() => encodeSafetensors({ w: { shape: [1], values: [1] } }, { metadata: { "paralens.checksum": "00000000" } }), /metadata "paralens.checksum" is written by paralens itself/);
});

test("a changed byte anywhere in the file, header or data, is refused", () => {
  const dataStart = readSafetensorsHeader(file).entries[0]!.begin;
  let checksumErrors = 0;
  for (let at = 0; at < file.length; at++) {
    const bad = file.slice();
    bad[at]! ^= 1 << (at % 8);
    const err = assertThrows(() => decodeSafetensors(bad), /safetensors: /, `byte ${at}`);
    assert(err instanceof ParalensError, `byte ${at}: ${err.message}`);
    if (/CRC-32 is [0-9a-f]{8} but "paralens.checksum" records [0-9a-f]{8}/.test(err.message)) checksumErrors++;
    else assert(at < dataStart, `byte ${at} of the data section is found by the checksum, not: ${err.message}`);
  }
  // every change of a value, and some of the header, leave a well-formed file that only the checksum tells apart
  assert(checksumErrors > file.length - dataStart, `${checksumErrors} of ${file.length} found by the checksum`);
});

test("a changed value byte of every tensor is refused, naming the expected and found checksum", async () => {
  const header = readSafetensorsHeader(file);
  assertEqual(header.entries.length, 16, "4 parameters and their m, v and t");
  for (const e of header.entries) {
    const bad = file.slice();
    bad[(e.begin + e.end) >> 1]! ^= 0x01;
    const expected = decodeSafetensors(file).metadata.get("paralens.checksum")!;
    await refused(bad, new RegExp(`safetensors: the file's CRC-32 is (?!${expected})[0-9a-f]{8} but "paralens.checksum" records ${expected}: the file was changed or damaged`));
  }
});

test("renaming the checksum's key does not switch it off", async () => {
  const changed = file.slice();
  const bias = readSafetensorsHeader(file).byName.get("2.bias")!;
  changed[bias.begin + 1]! ^= 0x40;
  for (const renamed of ["paralens.checksun", "xaralens.checksum", "paralens.check_um"]) {
    await refused(replaceText(changed, "paralens.checksum", renamed), /safetensors: the file has no "paralens.checksum", though its metadata says paralens wrote it$/);
  }
  // with the mark renamed too, a learner file still says what wrote it
  await refused(replaceText(replaceText(changed, "paralens.checksum", "xaralens.checksum"), "paralens.format", "xaralens.format"), /safetensors: the file has no "paralens.checksum", though its metadata says paralens wrote it$/);
  // a file with every mark renamed looks like one from elsewhere: only requireChecksum refuses it
  const plain = encodeSafetensors({ w: { shape: [2], values: [1, 2] } });
  const stripped = replaceText(replaceText(plain, "paralens.checksum", "xaralens.checksum"), "paralens.format", "xaralens.format");
  assertDeepEqual([...decodeSafetensors(stripped).tensors.get("w")!.values], [1, 2]);
  assertThrows(() => decodeSafetensors(stripped, { requireChecksum: true }), /safetensors: the file has no "paralens.checksum", and a checksum is required$/);
});

test("swapping two tensors' data_offsets is refused", async () => {
  const length = new DataView(file.buffer).getUint32(0, true);
  const json = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + length)));
  const rewrite = (h: unknown): Uint8Array => {
    const text = new TextEncoder().encode(JSON.stringify(h));
    const out = file.slice();
    out.fill(0x20, 8, 8 + length);
    out.set(text, 8);
    return out;
  };
  assertDeepEqual([...rewrite(json)], [...file], "the control: the header written back unchanged is the same file");
  const [w, m] = [json["0.weight"].data_offsets, json["optimiser.0.weight.m"].data_offsets];
  [json["0.weight"].data_offsets, json["optimiser.0.weight.m"].data_offsets] = [m, w];
  const swapped = rewrite(json);
  assertEqual(swapped.length, file.length);
  await refused(swapped, /safetensors: the file's CRC-32 is [0-9a-f]{8} but "paralens.checksum" records [0-9a-f]{8}/);
});

test("a checksum written otherwise than paralens writes it is refused", () => {
  const data = [new Float32Array([1, 2])];
  const w = { dtype: "F32", shape: [2], data_offsets: [0, 8] };
  assertThrows(() => decodeSafetensors(rawFile({ w, __metadata__: { "paralens.checksum": "ABCDEF01" } }, data)), /"paralens.checksum" is "ABCDEF01"; it must appear in the header once, as "paralens.checksum":"<8 lowercase hex digits>"/);
  assertThrows(() => decodeSafetensors(rawFile({ w, __metadata__: { "paralens.checksum": "abcdef012" } }, data)), /"paralens.checksum" is "abcdef012"; it must appear/);
  const twice = '{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"paralens.checksum":"00000000", "paralens.checksum":"00000001"}}';
  assertThrows(() => decodeSafetensors(rawFile(twice, data)), /"paralens.checksum" is "00000001"; it must appear in the header once/);
  const spaced = '{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "__metadata__": {"paralens.checksum": "00000000"}}';
  assertThrows(() => decodeSafetensors(rawFile(spaced, data)), /"paralens.checksum" is "00000000"; it must appear in the header once/);
});

test("a file from elsewhere loads without a checksum unless one is required", async () => {
  const foreign = rawFile({ w: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, __metadata__: { format: "pt" } }, [new Float32Array([3, 4])]);
  assertDeepEqual([...decodeSafetensors(foreign).tensors.get("w")!.values], [3, 4]);
  assertThrows(() => decodeSafetensors(foreign, { requireChecksum: true }), /the file has no "paralens.checksum", and a checksum is required$/);
  // a learner file without state, as PyTorch would write it
  const params = [...decodeSafetensors(file).tensors].filter(([n]) => !n.startsWith("optimiser."));
  let at = 0;
  const header = Object.fromEntries(params.map(([n, t]) => [n, { dtype: "F32", shape: t.shape, data_offsets: [at, (at += t.values.length * 4)] }]));
  const torch = rawFile(header, params.map(([, t]) => t.values));
  const l = build(2);
  await l.load(torch);
  assertDeepEqual(l.parameters()["2.bias"], trained.parameters()["2.bias"]);
  l.dispose();
  await refused(torch, /the file has no "paralens.checksum", and a checksum is required$/, { requireChecksum: true });
  // "format": "paralens" without a checksum (an older paralens's { checksum: false }) is refused
  await refused(rawFile({ ...header, __metadata__: { format: "paralens" } }, params.map(([, t]) => t.values)), /the file has no "paralens.checksum", though its metadata says paralens wrote it$/);
});

test("a file of an older paralens (a CRC-32 of the data only) loads if it matches", () => {
  const values = new Float32Array([1, -2, 3.5]);
  const data = new Uint8Array(values.buffer);
  const old = (crc: string) => rawFile({ w: { dtype: "F32", shape: [3], data_offsets: [0, 12] }, __metadata__: { "paralens.crc32": crc } }, [values]);
  assertDeepEqual([...decodeSafetensors(old(hex(crc32(data)))).tensors.get("w")!.values], [1, -2, 3.5]);
  assertThrows(() => decodeSafetensors(old(hex((crc32(data) ^ 1) >>> 0))), /the data section's CRC-32 is [0-9a-f]{8} but "paralens.crc32" records "[0-9a-f]{8}"/);
  assertThrows(() => decodeSafetensors(old(hex(crc32(data))), { requireChecksum: true }), /the file has no "paralens.checksum", though its metadata says paralens wrote it, and a checksum is required$/);
  // an older learner file: "format": "paralens" and the data-only checksum
  const learnerFile = rawFile({ w: { dtype: "F32", shape: [3], data_offsets: [0, 12] }, __metadata__: { format: "paralens", "paralens.crc32": hex(crc32(data)) } }, [values]);
  assertDeepEqual([...decodeSafetensors(learnerFile).tensors.get("w")!.values], [1, -2, 3.5]);
  // the mark of the whole-file checksum with only the older one is refused
  assertThrows(() => decodeSafetensors(rawFile({ w: { dtype: "F32", shape: [3], data_offsets: [0, 12] }, __metadata__: { "paralens.format": "2", "paralens.crc32": hex(crc32(data)) } }, [values])), /no "paralens.checksum", though its metadata says paralens wrote it$/);
  assertEqual(hex(crc32(new TextEncoder().encode("123456789"))), "cbf43926", "CRC-32 of the check string");
});
