// Memory for a compiled plan: the tensors a plan makes for itself live only
// from the call that first writes them to the call that last reads them, so
// two whose lives do not overlap can share memory. This file works out the
// lives from the plan's kernel calls and lays the tensors out in one block.
//
// Lives are intervals in the order forward calls, then reverse calls, ends
// included (a call never reads and writes the same memory). Two rules keep
// the passes independent, so each may be run again on its own:
// - a tensor that both passes touch (a residual) lives to the end of the
//   plan: running reverse() twice after one forward() reads it twice;
// - the results (outputs, observed values, requested changes) live for the
//   whole plan: callers read them after any pass.
// Every tensor is written by some call before any call reads it, in each pass,
// so sharing never exposes stale values.
import type { Tensor } from "../engine/tensor.ts";

/** One kernel call's memory traffic, by owning tensor. */
export interface Traffic {
  readonly reads: readonly Tensor[];
  readonly writes: readonly Tensor[];
}

export interface Layout {
  /** Bytes of the shared block. */
  readonly bytes: number;
  /** Byte offset of each placed tensor inside the block. */
  readonly offsets: ReadonlyMap<Tensor, number>;
  /** Bytes the same tensors would take without sharing. */
  readonly unsharedBytes: number;
}

const ALIGN = 16;
const FOREVER = Number.POSITIVE_INFINITY;

interface Life {
  tensor: Tensor;
  bytes: number;
  from: number;
  to: number;
}

/**
 * Lays out `tensors` (owners, all unplaced) for calls `forward` then
 * `reverse`; `results` live for the whole plan. With `share` false every
 * tensor gets its own bytes (the same layout without reuse).
 */
export function layout(tensors: readonly Tensor[], forward: readonly Traffic[], reverse: readonly Traffic[], results: ReadonlySet<Tensor>, share = true): Layout {
  const lives = new Map<Tensor, Life>();
  const calls = [...forward, ...reverse];
  for (const t of tensors) lives.set(t, { tensor: t, bytes: Math.ceil((t.size * 4) / ALIGN) * ALIGN, from: FOREVER, to: -1 });
  calls.forEach((call, i) => {
    for (const t of [...call.reads, ...call.writes]) {
      const life = lives.get(t.owner);
      if (life === undefined) continue;
      life.from = Math.min(life.from, i);
      life.to = Math.max(life.to, i);
    }
  });
  const inForward = (l: Life): boolean => l.from < forward.length;
  const inReverse = (l: Life): boolean => l.to >= forward.length;
  for (const l of lives.values()) {
    if (results.has(l.tensor)) [l.from, l.to] = [0, FOREVER];
    else if (inForward(l) && inReverse(l)) l.to = FOREVER;
  }
  // Largest first, each at the lowest offset clear of every placed tensor
  // whose life overlaps its own: the greedy rule of offline storage
  // allocation, close to the peak of live bytes for plans like these.
  const used = [...lives.values()].filter((l) => l.to >= 0);
  const order = used.filter((l) => l.bytes > 0).sort((a, b) => b.bytes - a.bytes || a.from - b.from);
  const placed: (Life & { at: number })[] = [];
  // empty tensors need an offset but no bytes
  const offsets = new Map<Tensor, number>(used.filter((l) => l.bytes === 0).map((l) => [l.tensor, 0]));
  let bytes = 0;
  let unsharedBytes = 0;
  for (const l of order) {
    unsharedBytes += l.bytes;
    let at = 0;
    if (share) {
      const busy = placed.filter((p) => p.from <= l.to && l.from <= p.to).sort((a, b) => a.at - b.at);
      for (const p of busy) {
        if (at + l.bytes <= p.at) break;
        at = Math.max(at, p.at + p.bytes);
      }
    } else {
      at = bytes;
    }
    placed.push({ ...l, at });
    offsets.set(l.tensor, at);
    bytes = Math.max(bytes, at + l.bytes);
  }
  return { bytes, offsets, unsharedBytes };
}
