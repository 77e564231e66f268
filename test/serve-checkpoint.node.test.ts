// Checkpoints survive a process killed mid-training: a child learns online,
// checkpointing to a file every few steps (checkpointFile: a temporary file
// renamed over the old one), and is killed with SIGKILL at some moment; the
// file then holds a whole checkpoint (the last written, or the one being
// written), and a restarted child resumes from exactly it.
import { test } from "./harness.ts";
import { assert, assertEqual } from "./assert.ts";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dense, init, mse, seq, supervised } from "../ts-api/index.ts";
import { hash } from "./serve-hash.ts";

await init();
const root = join(import.meta.dirname, "..");

/** Starts the child and kills it once it has announced `checkpoints` written ones; returns what it printed. */
function runUntil(file: string, checkpoints: number): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", join(root, "test", "serve-online-child.ts"), file], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the child announced fewer than ${checkpoints} checkpoints in 60 s:\n${output}`));
    }, 60_000);
    const read = (chunk: Buffer): void => {
      output += chunk.toString();
      if ((output.match(/^wrote /gm) ?? []).length >= checkpoints) child.kill("SIGKILL");
    };
    child.stdout.on("data", read);
    child.stderr.on("data", read);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (signal === "SIGKILL") resolve(output);
      else reject(new Error(`the child exited by itself (${code}):\n${output}`));
    });
  });
}

/** The hashes a child announced: the last one written, and the one it was writing when killed (if any). */
function lastTwo(output: string): string[] {
  const events = [...output.matchAll(/^(writing|wrote) (\w+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
  const wrote = events.filter(([e]) => e === "wrote").map(([, h]) => h);
  const last = events[events.length - 1]!;
  return last[0] === "writing" ? [wrote[wrote.length - 1]!, last[1]] : [last[1]];
}

test("online checkpoints: a process killed mid-training leaves a whole checkpoint, and a restarted one resumes from it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "paralens-checkpoint-"));
  const file = join(dir, "learner.safetensors");
  try {
    const first = await runUntil(file, 3);
    assert(!/^resumed/m.test(first), "the first child started afresh");
    const kept = hash(new Uint8Array(readFileSync(file)));
    assert(lastTwo(first).includes(kept), `the file holds the last checkpoint written or the one being written (${kept}; the child printed ${lastTwo(first).join(", ")})`);
    // the file is a whole, valid checkpoint of the model
    const probe = supervised(seq(dense(8, 32, "tanh"), dense(32, 2)), { loss: mse });
    await probe.load(readFileSync(file));
    probe.dispose();

    const second = await runUntil(file, 2);
    assertEqual(/^resumed (\w+)$/m.exec(second)?.[1], kept, "the restarted child resumed from the file's checkpoint");
    const after = hash(new Uint8Array(readFileSync(file)));
    assert(after !== kept && lastTwo(second).includes(after), "and went on checkpointing from there");
    assert(readdirSync(dir).every((f) => f === "learner.safetensors" || f.endsWith(".tmp")), "nothing else is written beside it");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
