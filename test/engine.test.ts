// The engine: instantiation, the arena, tensor handles.
import { test } from "./harness.ts";
import { assert, assertEqual, assertRejects, assertThrows } from "./assert.ts";
import { init, engine, Engine, compile, dense, ParalensError, backends, initialisers } from "../ts-api/index.ts";
import { createEngine } from "../ts-api/engine/init.ts";
import { compileSource, decodeBase64, fromBase64 } from "../ts-api/engine/wasm.ts";
import { wasm as strictCore } from "../ts-api/engine/core.generated.ts";
import { runtime } from "./harness.ts";

const e = await init();

test("init is idempotent and engine() returns the same engine", async () => {
  assert(e instanceof Engine, "init resolves to the engine");
  assert((await init()) === e, "second init, same engine");
  assert(engine() === e, "engine()");
  assertEqual(e.simd, "strict", "the default build is strict SIMD");
  await assertRejects(() => init({ simd: "relaxed" }), /already initialised with simd "strict"/);
});

test("allFinite finds a NaN or infinity anywhere in a tensor or a view, and reads nothing past it", () => {
  const t = e.tensor([3, 7], Array.from({ length: 21 }, (_, i) => i * 1e37 - 1e38));
  assert(t.allFinite(), "large finite values are finite");
  for (const bad of [NaN, Infinity, -Infinity]) {
    for (let i = 0; i < t.size; i++) {
      t.data[i] = bad;
      assert(!t.allFinite(), `${bad} at ${i}`);
      // a view of row 1 sees only its own values
      assertEqual(t.slice(7, [7]).allFinite(), i < 7 || i >= 14, `row 1 with ${bad} at ${i}`);
      t.data[i] = 0;
    }
  }
  assert(e.tensor([0]).allFinite(), "no values: all finite");
  t.dispose();
  assertThrows(() => t.allFinite(), /was disposed/);
});

test("tensors hold values, reshape as views, and check sizes", () => {
  const t = e.tensor([2, 3], [1, 2, 3, 4, 5, 6]);
  assertEqual(Array.from(t.toArray()).join(","), "1,2,3,4,5,6");
  const v = t.reshape([3, 2]);
  v.data[0] = 9;
  assertEqual(t.data[0], 9, "a view shares memory");
  assertThrows(() => t.reshape([4, 2]), /cannot view \[2, 3\] \(6 values\) as \[4, 2\]/);
  assertThrows(() => t.set([1, 2]), /holds 6 values, got 2/);
  assertThrows(() => e.tensor([2, -1]), /whole numbers >= 0/);
  assertThrows(() => v.dispose(), /is a view/);
  t.dispose();
  assertThrows(() => t.data, /was disposed/);
  const empty = e.tensor([0, 5]);
  assertEqual(empty.size, 0);
  empty.dispose();
});

test("disposed memory is reused", () => {
  const before = e.arena.bytesInUse;
  const a = e.tensor([1000]);
  a.dispose();
  const b = e.tensor([1000]);
  assertEqual(b.offset, a.offset, "the freed block is reused");
  b.dispose();
  assertEqual(e.arena.bytesInUse, before, "everything returned");
});

test("tensor views survive the memory growing: values kept, new views on the new buffer (the old one detached, or kept whole when shared)", async () => {
  // a fresh engine, so the growth does not depend on what earlier tests left free
  const fresh = await createEngine();
  const t = fresh.tensor([1000], Array.from({ length: 1000 }, (_, i) => i));
  const oldView = t.data;
  const oldBuffer: ArrayBufferLike = fresh.memory.buffer;
  const reserved = fresh.arena.bytesReserved;
  // more than every free byte: no free block can hold it, so the memory must grow
  const big = fresh.tensor([Math.ceil((reserved - fresh.arena.bytesInUse) / 4) + 1]);
  assert(fresh.arena.bytesReserved > reserved, `the memory grew (${reserved} -> ${fresh.arena.bytesReserved} bytes)`);
  assert(fresh.memory.buffer !== oldBuffer, "growing made a new buffer");
  const oldLength = oldBuffer.byteLength;
  if (typeof SharedArrayBuffer !== "undefined" && oldBuffer instanceof SharedArrayBuffer) {
    // a threaded engine's memory is shared: growing never detaches, old views keep their old range
    assert(oldLength === reserved && oldView[999] === 999, "the old shared buffer keeps its length and its views their values");
  } else {
    assert(oldLength === 0 && oldView.length === 0, "growing detached the old buffer and the views on it");
  }
  assert(t.data.buffer === fresh.memory.buffer, "the tensor's view is remade on the new buffer");
  assertEqual(t.data[999], 999, "values written before the growth are still there");
  t.data[3] = -7;
  assertEqual(new Float32Array(fresh.memory.buffer, t.offset, 1000)[3], -7, "writes through the remade view reach the memory");
  big.data[big.size - 1] = 5;
  assertEqual(new Float32Array(fresh.memory.buffer, big.offset, big.size)[big.size - 1], 5, "the new tensor's last value lies in the grown memory");
  big.dispose();
  t.dispose();
  assertEqual(fresh.arena.bytesInUse, 0, "everything returned");
});

test("plans free their memory when disposed", () => {
  const before = e.arena.bytesInUse;
  const plan = compile(dense(30, 20, "relu"), { batch: 16 });
  assert(e.arena.bytesInUse > before, "a plan holds memory");
  plan.dispose();
  assertEqual(e.arena.bytesInUse, before, "and gives it back");
  assertThrows(() => plan.forward(), /used after dispose/);
});

test("running out of memory says how much was asked, how much is in use, and what to do", () => {
  // as much as the arena has left: it would fit the limit, but the memory cannot grow to hold it
  const floats = Math.floor((e.arena.maxBytes - e.arena.bytesInUse) / 4 / 16) * 16;
  const err = assertThrows(() => e.tensor([floats]), new RegExp(`out of memory: a tensor of shape \\[${floats}\\] needs 4\\.00 GiB, .* in use and the arena cannot grow past 4\\.00 GiB`));
  assert(err instanceof ParalensError);
  assert(/smaller batch/.test(err.message), "it suggests a remedy");
});

test("init rejects a module that is not a paralens core, before touching memory", async () => {
  // an empty but valid module, then bytes that are no module at all
  await assertRejects(() => createEngine({ wasm: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]) }), /not a paralens core \(missing/);
  await assertRejects(() => createEngine({ wasm: new Uint8Array([1, 2, 3, 4]) }), /not a valid module/);
  const second = await createEngine();
  assert(second !== e && second.memory !== e.memory, "createEngine makes an independent engine");
});

test("init's options are checked before anything is made: each bad value is named", async () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ maxMemoryMB: 0 }, /init: maxMemoryMB must be a number from 1 to 4096 \(MiB\), got 0/],
    [{ maxMemoryMB: Number.NaN }, /maxMemoryMB must be .* got NaN/],
    [{ maxMemoryMB: "64" }, /maxMemoryMB must be .* got "64"/],
    [{ maxMemoryMB: 8192 }, /maxMemoryMB must be .* got 8192/],
    [{ simd: "fast" }, /init: simd must be "strict" or "relaxed", got "fast"/],
    [{ wasm: 5 }, /init: wasm must be a WebAssembly\.Module, bytes \(ArrayBuffer or a view of one\) or a Response, got 5/],
    [{ wasm: "core.wasm" }, /init: wasm must be .* got "core\.wasm"/],
  ];
  for (const [options, message] of bad) {
    const err = await assertRejects(() => createEngine(options as never), message);
    assert(err instanceof ParalensError, `${JSON.stringify(options)} is refused with a ParalensError`);
  }
});

test("a small maxMemoryMB bounds the whole memory: what cannot fit is refused with its size", async () => {
  const small = await createEngine({ maxMemoryMB: 2 });
  assertEqual(small.stats().maxBytes, 2 * 1024 * 1024, "the bound in bytes");
  assertThrows(() => small.tensor([1 << 20]), /out of memory: a tensor of shape \[1048576\] needs? 4\.0 MiB, .*init\(\{ maxMemoryMB \}\)|out of memory: a tensor of shape \[1048576\] need 4\.0 MiB/);
  const fits = small.tensor([1 << 16]);
  assertEqual(fits.size, 1 << 16, "a tensor within the bound is made");
  fits.dispose();
});

test("init({ wasm }) takes the core as a compiled module, as bytes or as a Response", async () => {
  const module = await compileSource(strictCore, "the strict core");
  const given: WebAssembly.Module[] | BufferSource[] | Response[] = [module];
  // (the bytes from the file the package ships, where the runtime reads files)
  if (runtime !== "browser") {
    const { readFileSync } = await import("node:fs");
    const bytes = readFileSync(new URL("../dist/core.wasm", import.meta.url));
    given.push(bytes as never, new Response(bytes) as never);
  }
  for (const wasm of given) {
    const other = await createEngine({ wasm });
    const t = other.tensor([3], [1, 2, 3]);
    other.core.scale(t.offset, t.offset, 2, 3);
    assertEqual(Array.from(t.toArray()).join(","), "2,4,6", "the core given runs");
  }
  await assertRejects(() => createEngine({ wasm: new Response("no", { status: 404, statusText: "Not Found" }) }), /the Response given for wasm failed: 404 Not Found/);
});

test("base64 decodes to the same bytes through atob and through the runtime's native decoder, with and without padding", () => {
  for (let n = 0; n < 7; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 200) & 255);
    const text = btoa(String.fromCharCode(...bytes));
    for (const [how, decoded] of [["atob", fromBase64(text)], ["native", decodeBase64(text)]] as const) {
      assertEqual(Array.from(decoded).join(","), Array.from(bytes).join(","), `${n} bytes, ${how}`);
    }
  }
});

test("initParams: a seed gives the same parameters, and compile binds them without copying", () => {
  const model = dense(3, 2, "tanh");
  const [a, b] = [backends.initParams(model, 5), backends.initParams(model, 5)];
  assertEqual(a.length, 2, "weight and bias");
  assert(a.every((t, i) => t.data.every((v, j) => v === b[i]!.data[j])), "same seed, same values");
  assert(backends.initParams(model, 6)[0]!.data.some((v, j) => v !== a[0]!.data[j]), "another seed, other values");
  const plan = compile(model, { batch: 1, params: a, changes: "none" });
  assert(plan.params[0] === a[0], "the plan uses the tensors it was given");
  plan.dispose();
  for (const t of [...a, ...b]) t.dispose();
});

test("Rng.fillUniform gives the values of uniform(), one per element, in order, and leaves the generator where they would", () => {
  // 20001 values: more than two of the wasm loop's blocks of 8192, and a part of one
  for (const length of [1001, 20001]) {
    const [a, b] = [new initialisers.Rng(42), new initialisers.Rng(42)];
    a.nextUint32(); // a state that is not fresh from the seed
    b.nextUint32();
    const filled = a.fillUniform(new Float64Array(length), -0.3, 0.7);
    const byCalls = Float64Array.from({ length }, () => -0.3 + (0.7 - -0.3) * b.uniform());
    assert(filled.every((v, i) => Object.is(v, byCalls[i])), `the same bits as a call per element (${length} values)`);
    assertEqual(a.nextUint32(), b.nextUint32(), "the same state afterwards");
    assertEqual(a.normal(), b.normal(), "and the same normal draw after it");
  }
});
