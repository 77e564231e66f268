// A learner as a safetensors file: the model's parameters under their own
// names ("0.weight"), the optimiser's state under "optimiser.<name>"
// ("optimiser.0.weight.m"), and in "__metadata__" the optimiser's name and,
// when the optimiser counts its steps (Adam's t), the step count. Loading
// into a learner rebuilt from code restores both, so training resumes
// exactly where it stopped.
import type { ParamSpec } from "../algebra/para.ts";
import { ParalensError, fmtShape, optionsArgument } from "../engine/errors.ts";
import { checkName, checkedDtype, readTensor, writeSafetensors } from "./safetensors/codec.ts";
import { type ReadOptions, type SafetensorsEntry, readSafetensorsHeader } from "./safetensors/header.ts";

/** What of a learner a file needs: its model, its parameter wires and their values (the arena's, or a copy of them). */
export interface LearnerLike {
  readonly model: { readonly name: string };
  readonly lens: { readonly name: string };
  readonly specs: readonly ParamSpec[];
  readonly state: readonly { readonly data: Float32Array }[];
}

export const OPTIMISER_PREFIX = "optimiser.";

/**
 * The optimiser's name as the closed lens spells it: "<model> @ <optimiser>) x id(...)".
 * The learner keeps its optimiser only inside that lens.
 */
function optimiserName(learner: LearnerLike): string | undefined {
  const marker = `${learner.model.name} @ `;
  const from = learner.lens.name.indexOf(marker);
  const to = learner.lens.name.indexOf(") x id(", from);
  return from < 0 || to < 0 ? undefined : learner.lens.name.slice(from + marker.length, to);
}

/** The file's name for each parameter wire of the learner. */
function fileName(spec: ParamSpec): string {
  return spec.role === "state" ? OPTIMISER_PREFIX + spec.name : spec.name;
}

/** The largest finite half: F16 holds no value of larger magnitude. */
const F16_MAX = 65504;

/**
 * Encodes a learner's parameters and optimiser state (F32 unless asked for F16, which does not resume
 * exactly); refuses a value the dtype cannot hold rather than write a file that load refuses.
 */
export function encodeLearner(learner: LearnerLike, options: { dtype?: "F32" | "F16" } = {}): Uint8Array<ArrayBuffer> {
  optionsArgument("save", options);
  if (options.dtype === "F16") {
    learner.specs.forEach((s, i) => {
      const values = learner.state[i]!.data;
      for (let k = 0; k < values.length; k++) {
        if (Math.abs(values[k]!) > F16_MAX) throw new ParalensError(`save: ${fileName(s)}[${k}] is ${values[k]}, beyond F16's range (|x| <= ${F16_MAX}); save it as F32`);
      }
    });
  }
  const dtype = checkedDtype(options.dtype);
  for (const s of learner.specs) checkName(fileName(s));
  const tensors = new Map(learner.specs.map((s, i) => [fileName(s), { shape: s.shape, values: learner.state[i]!.data }]));
  const metadata: [string, string][] = [["format", "paralens"]];
  const name = optimiserName(learner);
  if (name !== undefined) metadata.push(["optimiser", name]);
  const counter = learner.specs.findIndex((s) => s.role === "state" && s.name.endsWith(".t") && s.shape.length === 1 && s.shape[0] === 1);
  if (counter >= 0) metadata.push(["step", String(learner.state[counter]!.data[0])]);
  // the shapes and values are the learner's tensors, well formed: written without encodeSafetensors's checks
  return writeSafetensors([...tensors], dtype, metadata);
}

/**
 * Loads a file into a learner. Every tensor of the file must be a parameter
 * or optimiser state of the learner with the same shape, and every model
 * parameter must be there; optimiser state is all there or absent (a file of
 * parameters only, from PyTorch say, leaves the state as it is). All of that
 * is checked before anything is written; then each tensor is converted
 * straight into its arena memory, one copy; `checkLoaded` then checks the values.
 */
export function decodeLearnerInto(learner: LearnerLike, bytes: Uint8Array, what = "load", options: ReadOptions = {}): void {
  const header = readSafetensorsHeader(bytes, options);
  const model = learner.model.name;
  const byFileName = new Map(learner.specs.map((s, i) => [fileName(s), i]));
  for (const e of header.entries) {
    const i = byFileName.get(e.name);
    if (i === undefined) {
      const state = e.name.startsWith(OPTIMISER_PREFIX);
      throw new ParalensError(`${what}: the file holds "${e.name}", but ${model} has no ${state ? "optimiser state" : "parameter"} of that name (it has ${[...byFileName.keys()].join(", ")})`);
    }
    const spec = learner.specs[i]!;
    if (e.shape.length !== spec.shape.length || e.shape.some((d, k) => d !== spec.shape[k])) {
      throw new ParalensError(`${what}: "${spec.name}" is ${fmtShape(spec.shape)} in ${model} but ${fmtShape(e.shape)} in the file`);
    }
  }
  const writes: [SafetensorsEntry, { readonly data: Float32Array }][] = [];
  const fileHasState = header.entries.some((e) => e.name.startsWith(OPTIMISER_PREFIX));
  learner.specs.forEach((s, i) => {
    const e = header.byName.get(fileName(s));
    if (e !== undefined) writes.push([e, learner.state[i]!]);
    else if (s.role !== "state") throw new ParalensError(`${what}: the file has no "${s.name}", a parameter of ${model}`);
    else if (fileHasState) throw new ParalensError(`${what}: the file has optimiser state but not "${fileName(s)}"`);
  });
  const saved = header.metadata.get("optimiser");
  const ours = optimiserName(learner);
  if (fileHasState && saved !== undefined && ours !== undefined && kind(saved) !== kind(ours)) {
    throw new ParalensError(`${what}: the file holds the state of ${saved}, but this learner's optimiser is ${ours}`);
  }
  for (const [e, t] of writes) readTensor(bytes, e, t.data);
}

/** "adam(0.001)" -> "adam": the same optimiser with another step size resumes from the same state. */
function kind(name: string): string {
  const paren = name.indexOf("(");
  return paren < 0 ? name : name.slice(0, paren);
}

const DOMAIN_RULE = { count: "a step count is a whole number >= 0", nonnegative: "a second moment is >= 0" } as const;

/**
 * Throws a ParalensError naming the first value of the learner's tensors that no training could have
 * written: not finite, or outside its state's domain (a negative second moment, a step count of -3).
 */
export function checkLoaded(learner: LearnerLike, what = "load"): void {
  learner.specs.forEach((s, i) => {
    const values = learner.state[i]!.data;
    for (let k = 0; k < values.length; k++) {
      const v = values[k]!;
      const why = !Number.isFinite(v)
        ? "parameters and optimiser state must be finite"
        : s.domain === "nonnegative" && v < 0
          ? DOMAIN_RULE.nonnegative
          : s.domain === "count" && (v < 0 || !Number.isInteger(v))
            ? DOMAIN_RULE.count
            : undefined;
      if (why !== undefined) throw new ParalensError(`${what}: the file's ${s.role === "state" ? fileName(s) : s.name}[${k}] is ${v}; ${why}`);
    }
  });
}
