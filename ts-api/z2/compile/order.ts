// The order in which a phase evaluates its gates. The batch loop keeps every
// live value in a scratch slot of `block` words, so the fewer values are live
// at once, the larger a block fits in cache and the less each instruction's
// dispatch costs per word. Any topological order gives the same bits; this
// one is a greedy list schedule (after Sethi and Ullman's idea of evaluating
// what frees registers first): among the gates whose operands are ready, take
// the one that frees the most slots, and among equals the one traced first.
import type { Graph } from "../trace.ts";

/**
 * Orders `nodes` (given in topological order) so that few values are live at
 * once. `operands(n)` are the distinct values instruction n reads (a fused
 * gate reads its partner's operands); nodes not in `nodes` are loaded at
 * their first use.
 */
export function lowPressureOrder(g: Graph, nodes: readonly number[], operands: (n: number) => readonly number[]): number[] {
  const inPhase = new Uint8Array(g.size);
  for (const n of nodes) inPhase[n] = 1;
  // instruction-level uses of each value, and which instructions read it
  const reads = new Map<number, readonly number[]>();
  const remaining = new Int32Array(g.size);
  const readers = new Map<number, number[]>();
  const waiting = new Int32Array(g.size); // operands computed in this phase and not yet evaluated
  for (const n of nodes) {
    const list = operands(n);
    reads.set(n, list);
    for (const v of list) {
      remaining[v]!++;
      let rs = readers.get(v);
      if (rs === undefined) readers.set(v, (rs = []));
      rs.push(n);
      if (inPhase[v]) waiting[n]!++;
    }
  }
  const loaded = new Uint8Array(g.size);
  // gain of evaluating n now: slots freed (last reads) minus slots taken (loads, its result if read later)
  const gain = (n: number): number => {
    let s = remaining[n]! > 0 ? -1 : 0;
    for (const v of reads.get(n)!) {
      if (!inPhase[v] && !loaded[v]) s--;
      if (remaining[v] === 1) s++;
    }
    return s;
  };
  const heap = new Heap();
  const score = new Int32Array(g.size);
  const queued = new Uint8Array(g.size);
  const done = new Uint8Array(g.size);
  const rescore = (n: number): void => {
    const s = gain(n);
    if (queued[n] && s === score[n]) return;
    score[n] = s;
    queued[n] = 1;
    heap.push(s, n);
  };
  for (const n of nodes) if (waiting[n] === 0) rescore(n);
  const order: number[] = [];
  while (order.length < nodes.length) {
    if (heap.empty) throw new Error("z2 schedule: the gates of a phase are not in topological order");
    const [s, n] = heap.pop();
    if (done[n] || s !== score[n]) continue; // a stale entry: n was re-scored since
    done[n] = 1;
    order.push(n);
    for (const v of reads.get(n)!) {
      const firstLoad = !inPhase[v] && !loaded[v];
      loaded[v] = 1;
      remaining[v]!--;
      // a reader's gain changes only when v needs no load any more or has one read left:
      // each happens once per value, so the rescoring costs O(reads) over the phase
      if (firstLoad || remaining[v] === 1) for (const r of readers.get(v)!) if (!done[r] && waiting[r] === 0) rescore(r);
    }
    for (const r of readers.get(n) ?? []) if (--waiting[r]! === 0) rescore(r);
  }
  return order;
}

/** A binary heap of (score, node): highest score first, then lowest node. */
class Heap {
  private readonly keys: number[] = [];
  private readonly nodes: number[] = [];

  get empty(): boolean {
    return this.keys.length === 0;
  }

  push(score: number, node: number): void {
    const { keys, nodes } = this;
    let i = keys.length;
    keys.push(score);
    nodes.push(node);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(score, node, keys[p]!, nodes[p]!)) break;
      keys[i] = keys[p]!;
      nodes[i] = nodes[p]!;
      i = p;
    }
    keys[i] = score;
    nodes[i] = node;
  }

  pop(): [number, number] {
    const { keys, nodes } = this;
    const top: [number, number] = [keys[0]!, nodes[0]!];
    const k = keys.pop()!;
    const n = nodes.pop()!;
    const size = keys.length;
    if (size > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && this.before(keys[c + 1]!, nodes[c + 1]!, keys[c]!, nodes[c]!)) c++;
        if (!this.before(keys[c]!, nodes[c]!, k, n)) break;
        keys[i] = keys[c]!;
        nodes[i] = nodes[c]!;
        i = c;
      }
      keys[i] = k;
      nodes[i] = n;
    }
    return top;
  }

  private before(s1: number, n1: number, s2: number, n2: number): boolean {
    return s1 > s2 || (s1 === s2 && n1 < n2);
  }
}
