// The ops every backend has now: the primitives (ops/index.ts registers them)
// and the groups registered by the modules that call them. A module of its
// own, importing no op, so that op modules can register groups while the
// modules around them are still loading.
import type { PlannedOp } from "./op.ts";

type Group = Readonly<Record<string, PlannedOp>>;

const loaded: Record<string, PlannedOp> = {};
/** Groups registered but not yet read: given as functions, since a module may register a group whose module (in an import cycle) has not finished loading. */
const pending: (() => Group)[] = [];

/** Adds a group of ops to every backend (idempotent): each module that calls ops of a group registers it when it loads. */
export function registerOps(group: Group | (() => Group)): void {
  if (typeof group === "function") pending.push(group);
  else Object.assign(loaded, group);
}

/** Every op a backend has now (read when a backend is made, after the modules have loaded). */
export function loadedOps(): Readonly<Record<string, PlannedOp>> {
  for (const group of pending.splice(0)) Object.assign(loaded, group());
  return loaded;
}

const brought = new Set<() => Group>();

/**
 * Registers each of `groups` once (they are told apart by identity). A layer
 * calls it when one is made, with a list kept beside it, rather than
 * registering at load: a bundle that makes no such layer then drops the list,
 * the groups and their kernels' code, even from a pre-bundled build (such as
 * dist/edge) whose calls made at load would all be kept.
 */
export function bringOps(groups: readonly (() => Group)[]): void {
  for (const g of groups) {
    if (brought.has(g)) continue;
    brought.add(g);
    pending.push(g);
  }
}
