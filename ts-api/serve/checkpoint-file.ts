// Checkpoints in a file that is never seen half written: the bytes go to a
// temporary file beside it, are flushed to disk, and the temporary file is
// renamed over the old one (rename is atomic on POSIX file systems), so a
// process killed at any moment leaves either the previous checkpoint or the
// new one. Node, Deno and Bun all give node:fs through process.getBuiltinModule;
// elsewhere (browsers, Workers) pass a write function of your own.
import { ParalensError, describe } from "../engine/errors.ts";

interface Fs {
  openSync(path: string, flags: string): number;
  writeSync(fd: number, data: Uint8Array): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
  readFileSync(path: string): Uint8Array;
  existsSync(path: string): boolean;
}

function fileSystem(): Fs {
  const process = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown; pid?: number } }).process;
  const fs = process?.getBuiltinModule?.("node:fs") as Fs | undefined;
  if (fs === undefined) throw new ParalensError("checkpointFile: this runtime has no file system (node:fs); give online's checkpoint a write function of your own");
  return fs;
}

/**
 * A checkpoint file: write(bytes) replaces it atomically; read() gives its bytes, or undefined if there is none yet.
 *
 * @category Serving
 */
export interface CheckpointFile {
  /** The file's path. */
  readonly path: string;
  /** Replaces the file with `bytes`: written beside it, flushed, then renamed over it. */
  write(bytes: Uint8Array): void;
  /** The file's bytes, or undefined if there is none yet. */
  read(): Uint8Array | undefined;
}

/**
 * A checkpoint file at `path`, for online's checkpoint option, and to resume from on restart.
 *
 * @example
 * ```ts
 * const file = serve.checkpointFile(`${(globalThis as any).process.getBuiltinModule("node:os").tmpdir()}/paralens-doc-${Date.now()}.safetensors`);
 * const learner = supervised(dense(2, 1), { loss: mse });
 * const saved = file.read();  // undefined the first time
 * if (saved !== undefined) await learner.load(saved);
 * file.write(await learner.save());
 * file.read()!.length > 0;  // true
 * learner.dispose();
 * ```
 *
 * @category Serving
 */
export function checkpointFile(path: string): CheckpointFile {
  if (typeof path !== "string" || path === "") throw new ParalensError(`checkpointFile: path must be a file's path, got ${describe(path)}`);
  const fs = fileSystem();
  const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
  return {
    path,
    write(bytes: Uint8Array): void {
      const temporary = `${path}.${pid}.tmp`;
      const fd = fs.openSync(temporary, "w");
      try {
        for (let done = 0; done < bytes.length; ) done += fs.writeSync(fd, bytes.subarray(done));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(temporary, path);
    },
    read(): Uint8Array | undefined {
      return fs.existsSync(path) ? new Uint8Array(fs.readFileSync(path)) : undefined;
    },
  };
}
