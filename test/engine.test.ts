// The engine: instantiation, the arena, tensor handles.
import { test } from "./harness.ts";
import { assert, assertEqual, assertRejects, assertThrows } from "./assert.ts";
import { init, engine, Engine, compile, dense, ParalensError } from "../ts-api/index.ts";
import { createEngine } from "../ts-api/engine/engine.ts";

const e = await init();

test("init is idempotent and engine() returns the same engine", async () => {
  assert(e instanceof Engine, "init resolves to the engine");
  assert((await init()) === e, "second init, same engine");
  assert(engine() === e, "engine()");
  assertEqual(e.simd, "strict", "the default build is strict SIMD");
  await assertRejects(() => init({ simd: "relaxed" }), /already initialised with simd "strict"/);
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

test("disposed memory is reused, and views survive the memory growing", () => {
  const before = e.arena.bytesInUse;
  const a = e.tensor([1000]);
  a.dispose();
  const b = e.tensor([1000]);
  assertEqual(b.offset, a.offset, "the freed block is reused");
  const view = b.data;
  const big = e.tensor([4 * 1024 * 1024]); // 16 MiB: the memory grows and its old buffer detaches
  b.data[3] = 7;
  assertEqual(b.data[3], 7, "the view is remade after growth");
  assert(view.buffer !== b.data.buffer || view.length === 1000, "old view replaced");
  big.dispose();
  b.dispose();
  assertEqual(e.arena.bytesInUse, before, "everything returned");
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
  const err = assertThrows(() => e.tensor([2 ** 30]), /out of memory: a tensor of shape \[1073741824\] needs 4\.00 GiB, .* in use and the arena cannot grow past 4\.00 GiB/);
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
