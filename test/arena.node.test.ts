// The arena's free list against a memory it shares with others: blocks begin
// at or after its base, also when the memory ends short of the base (an engine
// that keeps the room its thread pool will take: the memory grows past it at
// the first block, not before), and the limit holds.
import { test } from "./harness.ts";
import { assert, assertEqual, assertThrows } from "./assert.ts";
import { Arena } from "../ts-api/engine/arena.ts";

const PAGE = 65536;

test("arena: a base past the memory's end is where the first block begins; the memory grows at that block, not before", () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 64 });
  const base = 3 * PAGE + 8;
  const arena = new Arena(memory, base, 64 * PAGE);
  assertEqual(memory.buffer.byteLength, PAGE, "nothing grows when the arena is made");
  const a = arena.alloc(100);
  assertEqual(a, base + 8, "the first block: the base rounded up to 16 bytes");
  assert(memory.buffer.byteLength >= a + 100, `the memory (${memory.buffer.byteLength} bytes) holds the block`);
  const b = arena.alloc(2 * PAGE);
  assert(b >= a + 100 && memory.buffer.byteLength >= b + 2 * PAGE, "a second block after it, the memory grown to hold it");
  arena.release(a);
  assertEqual(arena.alloc(64), a, "a released block is found again");
  assertThrows(() => arena.alloc(64 * PAGE), /out of memory: a tensor needs 4(\.0)? MiB/);
});

test("arena: a base inside the memory takes the free bytes above it first", () => {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 8 });
  const arena = new Arena(memory, 1000, 8 * PAGE);
  assertEqual(arena.alloc(16), 1008, "the base rounded up to 16 bytes");
  const big = arena.alloc(PAGE * 2);
  assertEqual(big, 1024, "the next block follows");
  assert(memory.buffer.byteLength >= big + 2 * PAGE, "grown only as far as needed");
  assert(memory.buffer.byteLength <= 4 * PAGE, `not further (${memory.buffer.byteLength} bytes)`);
});
