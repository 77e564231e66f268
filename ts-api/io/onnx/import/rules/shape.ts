// Views: the ops that move values without arithmetic, each an index map on
// the tape, and on known values (torch.onnx.export's Gather, Unsqueeze and
// Concat of a Shape feeding a Reshape) folded at import.
import type { Shape } from "../../../../algebra/shapes.ts";
import { fmtShape } from "../../../../engine/errors.ts";
import { type Known, type Live, boxMap, broadcast, known, mapKnown, permuteMap, range, sizeOf, strides } from "../known.ts";
import { registerOps } from "../../../../ops/registry.ts";
import { attentionOps } from "../../../../ops/attention.ts";
import { type Ctx, type In, type Rule, live, liveIn, tv } from "./rule.ts";
import { fullShape, permuted, regrouped } from "../view.ts";

// the ops it calls come with it (ops/index.ts)
registerOps(() => attentionOps);

/** Resolves a Reshape's target (0 copies, -1 is inferred) against a full shape; the batch axis is NaN. */
function resolveTarget(n: Ctx, target: number[], full: number[], batchHint: number | undefined): [Shape, boolean] {
  const zeroCopies = n.int("allowzero", 0) === 0;
  let t = target.map((d, i) => (d === 0 && zeroCopies ? full[i] ?? n.fail(`target dim ${i} copies an input dim that does not exist`) : d));
  const batched = Number.isNaN(full[0]);
  if (batched) {
    const first = t[0];
    if (first === undefined) n.fail("reshapes a batched value to a scalar");
    if (Number.isNaN(first) || first === batchHint) t = t.slice(1);
    else if (first === -1 && !t.slice(1).includes(-1) && sizeOf(t.slice(1)) === sizeOf(full.slice(1))) t = t.slice(1);
    else n.fail(`its target ${fmtShape(target)} does not keep the batch axis first`);
  }
  const size = sizeOf(batched ? full.slice(1) : full);
  if (t.some((d) => Number.isNaN(d))) n.fail(`its target ${fmtShape(target)} uses the batch size away from the first axis`);
  const unknown = t.filter((d) => d === -1).length;
  if (unknown > 1 || t.some((d) => d < -1 || !Number.isInteger(d))) n.fail(`its target ${fmtShape(target)} is not a shape`);
  if (unknown === 1) {
    const rest = sizeOf(t.filter((d) => d !== -1));
    if (rest === 0 || size % rest !== 0) n.fail(`cannot view ${size} values per example as ${fmtShape(target)}`);
    t = t.map((d) => (d === -1 ? size / rest : d));
  }
  if (sizeOf(t) !== size) n.fail(`cannot view ${fmtShape(full.slice(batched ? 1 : 0))} (${size} values per example) as ${fmtShape(t)}`);
  return [t, batched];
}

/** A rule that only views its input with another shape. */
/* @__NO_SIDE_EFFECTS__ */
function view(target: (n: Ctx, xs: readonly In[], full: number[]) => Shape): Rule {
  return {
    fold: (n, xs) => [known(xs[0]!.dtype, target(n, xs, fullShape(xs[0]!)), xs[0]!.data)],
    live(n, xs) {
      const x = liveIn(n, xs, 0);
      const full = target(n, xs, fullShape(x));
      const out = x.batched ? full.slice(1) : full;
      return { outputs: [live(out, x.batched)], run: (t, [v]) => [t.reshape(tv(t, v), x.batched ? [t.n, ...out] : out)] };
    },
  };
}

const reshapePlain = (): Rule => view((n, xs, full) => {
  const [t, batched] = resolveTarget(n, n.list(xs, 1, "target shape")!, full, n.batchHint);
  return batched ? [NaN, ...t] : t;
});

/**
 * Reshape, also of a value whose batch axis is not first or not alone (torch's
 * attention folds the heads into it): a reshape of one example when the
 * target keeps the batch whole inside the one axis sized by it (NaN, or a
 * multiple of the batch the graph's input numbers, as toOnnx writes [batch*T, d]).
 */
function reshape(): Rule {
  const plain = reshapePlain();
  return {
    views: true,
    fold: plain.fold,
    live(n, xs) {
      const x = liveIn(n, xs, 0);
      const target = n.list(xs, 1, "target shape")!;
      if (!x.batched) return plain.live!(n, xs);
      const full = fullShape(x);
      const zeroCopies = n.int("allowzero", 0) === 0;
      const resolved = target.map((d, i) => (d === 0 && zeroCopies ? full[i] ?? n.fail(`target dim ${i} copies an input dim that does not exist`) : d));
      const sized = resolved.filter((d) => Number.isNaN(d)).length;
      // the batch first stays first: resolveTarget, which also reads -1 or the numbered batch there
      const first = resolved[0];
      if (x.view === undefined && (sized > 0 ? sized === 1 && Number.isNaN(first) : first === n.batchHint || first === -1)) return plain.live!(n, xs);
      const r = (sized > 0 ? regrouped(x.shape, x.view, resolved) : numbered(x, resolved, n.batchHint)) ?? (x.view === undefined && sized === 0
        ? n.fail(`its target ${fmtShape(target)} does not keep the batch axis first, nor the batch whole inside one axis`)
        : n.fail(`cannot view ${n.shapeOf(x)} as ${fmtShape(target)} (NaN: sized by the batch) with each example's values apart; paralens imports a reshape that keeps the batch whole inside the one axis sized by it`));
      return { outputs: [live(r.shape, true, r.view)], run: (t, [v]) => [t.reshape(tv(t, v), [t.n, ...r.shape])] };
    },
  };
}

/** A target of whole sizes read with the graph's numbered batch b: the first axis that can hold it whole (its size b times the example's values around it). */
function numbered(x: Live, target: readonly number[], b: number | undefined): ReturnType<typeof regrouped> {
  if (b === undefined || target.some((d) => !Number.isInteger(d) || d < 1) || sizeOf(target) !== b * sizeOf(x.shape)) return undefined;
  for (let j = 0; j < target.length; j++) {
    if (target[j]! % b !== 0) continue;
    const r = regrouped(x.shape, x.view, target.map((d, i) => (i === j ? NaN : d)));
    if (r !== undefined) return r;
  }
  return undefined;
}

const flatten = (): Rule => view((n, _xs, full) => {
  const axis = n.axis(n.int("axis", 1), full.length + 1);
  if (Number.isNaN(full[0]) && axis !== 1) n.fail(`flattens at axis ${axis}; with a batch axis first paralens imports axis 1 only`);
  return Number.isNaN(full[0]) ? [NaN, sizeOf(full.slice(1))] : [sizeOf(full.slice(0, axis)), sizeOf(full.slice(axis))];
});

const axesOf = (n: Ctx, xs: readonly In[]): number[] | undefined => (n.opset >= 13 ? n.list(xs, 1, "axes") : n.ints("axes")?.slice());

/**
 * A rule that views its input with another shape, following a moved batch
 * axis: the batch stays whole in the axis `target` keeps it in (a reshape of
 * one example, as torch's Squeeze of an LSTM's [T, 1, batch, H] output).
 */
function viewed(target: (n: Ctx, xs: readonly In[], full: number[]) => Shape): Rule {
  const plain = view(target);
  return {
    views: true,
    fold: plain.fold,
    live(n, xs) {
      const x = liveIn(n, xs, 0);
      if (x.view === undefined) return plain.live!(n, xs);
      const r = regrouped(x.shape, x.view, target(n, xs, fullShape(x))) ?? n.fail(`cannot view ${n.shapeOf(x)} so with each example's values apart`);
      return { outputs: [live(r.shape, true, r.view)], run: (t, [v]) => [t.reshape(tv(t, v), [t.n, ...r.shape])] };
    },
  };
}

const squeeze = (): Rule => viewed((n, xs, full) => {
  const axes = axesOf(n, xs)?.map((a) => n.axis(a, full.length)) ?? range(full.length).filter((i) => full[i] === 1);
  for (const a of axes) if (full[a] !== 1) n.fail(`squeezes axis ${a} of ${fmtShape(full)}, which is not 1`);
  return full.filter((_, i) => !axes.includes(i));
});

const unsqueeze = (): Rule => viewed((n, xs, full) => {
  const given = axesOf(n, xs) ?? n.fail("has no axes");
  const rank = full.length + given.length;
  const axes = given.map((a) => n.axis(a, rank));
  if (Number.isNaN(full[0]) && axes.includes(0)) n.fail("inserts an axis before the batch axis");
  const out: number[] = [];
  let j = 0;
  for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : full[j++]!);
  return out;
});

/** A rule that moves values by an index map of one example (per value: the same for every example). */
/* @__NO_SIDE_EFFECTS__ */
function indexed(make: (n: Ctx, xs: readonly In[], full: number[]) => [Int32Array, Shape][], views = false): Rule {
  return {
    views,
    fold: (n, xs) => make(n, xs, fullShape(xs[0]!)).map(([m, s]) => mapKnown(xs[0]!, m, s)),
    live(n, xs) {
      const x = liveIn(n, xs, 0);
      // a moved batch axis must be an axis of its own; the maps keep it in place
      if (x.view !== undefined && x.view.groups.some((g) => g !== 1)) n.fail(`reads ${n.shapeOf(x)}, whose batch axis the graph merged with another`);
      const maps = make(n, xs, fullShape(x));
      return {
        outputs: maps.map(([, s]) => live(s, x.batched, x.view)),
        run: (t, [v]) => maps.map(([m, s]) => t.indexMap(tv(t, v), m, s)),
      };
    },
  };
}

/** The per-example part of a map over the full shape: the batch axis must be left whole. */
function perExample(n: Ctx, full: number[], along: number[][], what: string): [Int32Array, Shape] {
  const at = full.findIndex((d) => Number.isNaN(d));
  if (at < 0) return boxMap(full, along);
  const kept = along[at]!;
  if (!(kept.length === 1 && kept[0] === -2)) n.fail(`${what} along the batch axis, which paralens keeps apart`);
  return boxMap(full.filter((_, i) => i !== at), along.filter((_, i) => i !== at));
}

const WHOLE = [-2]; // "the whole batch axis", a marker only perExample reads

function permOf(n: Ctx, rank: number): number[] {
  const perm = n.ints("perm")?.slice() ?? range(rank).reverse();
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) n.fail(`perm ${fmtShape(perm)} is not a permutation of ${rank} axes`);
  return perm;
}

/** Transpose; of a batched value, a permutation of each example's axes, the batch axis going where the graph puts it (a view). */
const transpose = (): Rule => {
  const shared = indexed((n, _xs, full) => [permuteMap(full, permOf(n, full.length))]);
  return {
    views: true,
    fold: shared.fold,
    live(n, xs) {
      const x = liveIn(n, xs, 0);
      if (!x.batched) return shared.live!(n, xs);
      const p = permuted(x.shape, x.view, permOf(n, fullShape(x).length));
      const identity = p.perm.every((a, i) => a === i);
      const [map] = permuteMap(x.shape, p.perm);
      return { outputs: [live(p.shape, true, p.view)], run: (t, [v]) => [identity ? tv(t, v) : t.indexMap(tv(t, v), map, p.shape)] };
    },
  };
};

/** Positions start, start + step, ... before end, clamped as ONNX's Slice does. */
function positions(size: number, start: number, end: number, step: number): number[] {
  const clampS = (v: number, lo: number, hi: number): number => Math.min(Math.max(v < 0 ? v + size : v, lo), hi);
  const out: number[] = [];
  if (step > 0) for (let i = clampS(start, 0, size); i < clampS(end, 0, size); i += step) out.push(i);
  else for (let i = clampS(start, -1, size - 1); i > clampS(end, -1, size - 1); i += step) out.push(i);
  return out;
}

const slice = (): Rule => indexed((n, xs, full) => {
  const read = (i: number, name: string): number[] | undefined => (n.opset >= 10 ? n.list(xs, i, name) : n.ints(name)?.slice());
  const starts = read(1, "starts") ?? n.fail("has no starts");
  const ends = read(2, "ends") ?? n.fail("has no ends");
  const axes = (read(3, "axes") ?? range(starts.length)).map((a) => n.axis(a, full.length));
  const steps = (n.opset >= 10 ? n.list(xs, 4, "steps") : undefined) ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) n.fail("starts, ends, axes and steps differ in length");
  const along = full.map((d) => (Number.isNaN(d) ? WHOLE : range(d)));
  axes.forEach((a, i) => {
    if (steps[i] === 0) n.fail("has a step of 0");
    if (Number.isNaN(full[a]!)) {
      if (starts[i] === 0 && ends[i]! >= 2 ** 31 - 1 && steps[i] === 1) return;
      n.fail("slices the batch axis, which paralens keeps apart");
    }
    along[a] = positions(full[a]!, starts[i]!, Math.max(Math.min(ends[i]!, 2 ** 53), -(2 ** 53)), steps[i]!);
  });
  return [perExample(n, full, along, "slices")];
}, true);

const split = (): Rule => indexed((n, xs, full) => {
  const axis = n.axis(n.int("axis", 0), full.length);
  if (Number.isNaN(full[axis]!)) n.fail("splits the batch axis, which paralens keeps apart");
  const count = n.node.outputs.length;
  const size = full[axis]!;
  const sizes = (n.opset >= 13 ? n.list(xs, 1, "split") : n.ints("split")?.slice()) ?? range(count).map((i) => Math.ceil(size / count) * (i + 1) > size ? size - Math.ceil(size / count) * i : Math.ceil(size / count));
  if (sizes.length !== count || sizes.reduce((a, b) => a + b, 0) !== size || sizes.some((s) => s < 0)) n.fail(`splits ${size} into ${fmtShape(sizes)} over ${count} outputs`);
  let from = 0;
  return sizes.map((s) => {
    const along = full.map((d) => (Number.isNaN(d) ? WHOLE : range(d)));
    along[axis] = range(s).map((i) => i + from);
    from += s;
    return perExample(n, full, along, "splits");
  });
}, true);

const gatherIndexed = (): Rule => indexed((n, xs, full) => {
  const idx = n.known(xs, 1, "indices");
  const axis = n.axis(n.int("axis", 0), full.length);
  if (Number.isNaN(full[axis]!)) n.fail("gathers along the batch axis, which paralens keeps apart");
  const size = full[axis]!;
  const at = Array.from(idx.data, (i) => (i < -size || i >= size || !Number.isInteger(i) ? n.fail(`index ${i} is outside an axis of ${size}`) : i < 0 ? i + size : i));
  const inner = full.slice(0, axis).concat(full.slice(axis + 1));
  const batched = Number.isNaN(full[0]);
  const ex = batched ? full.slice(1) : full;
  const a = batched ? axis - 1 : axis;
  const out = [...ex.slice(0, a), ...idx.shape, ...ex.slice(a + 1)];
  const st = strides(ex);
  const outSt = strides(out);
  const map = new Int32Array(sizeOf(out));
  for (let t = 0; t < map.length; t++) {
    const coord = out.map((d, k) => Math.floor(t / outSt[k]!) % d);
    const before = coord.slice(0, a), picked = coord.slice(a, a + idx.shape.length), after = coord.slice(a + idx.shape.length);
    let flat = 0;
    for (let k = 0; k < picked.length; k++) flat = flat * idx.shape[k]! + picked[k]!;
    const src = [...before, at[flat]!, ...after];
    map[t] = src.reduce((s, c, k) => s + c * st[k]!, 0);
  }
  void inner;
  return [[map, out]];
});

/** Gather of constant indices (an index map), or of a table's rows by token ids from the model's input (an embedding). */
const gather: Rule = {
  fold: (n, xs) => gatherIndexed().fold!(n, xs),
  live(n, xs) {
    if (xs[1]?.kind !== "live") return gatherIndexed().live!(n, xs);
    const ids = xs[1];
    const table = liveIn(n, xs, 0);
    if (!ids.batched || table.batched || table.shape.length !== 2 || n.axis(n.int("axis", 0), 2) !== 0) {
      n.fail(`paralens imports a Gather by indices from the model's input as an embedding: rows (axis 0) of a table [vocab, d] shared by all examples, got ${n.shapeOf(table)} by ${n.shapeOf(ids)}`);
    }
    const [vocab, d] = table.shape as [number, number];
    return {
      outputs: [live([...ids.shape, d], true)],
      run(t, [tr, ir]) {
        const [tab, id] = [tv(t, tr), tv(t, ir)];
        const o = t.ops;
        return [t.one([tab, id], o.gatherRows(tab.value, id.value), (dy, [nt]) => [nt ? o.scatterAddRows(dy, id.value, vocab) : null, null])];
      },
    };
  },
};

const pad = (): Rule => indexed((n, xs, full) => {
  const mode = n.string("mode", "constant");
  if (mode !== "constant") n.fail(`pads in mode "${mode}"; paralens imports mode "constant"`);
  const pads = (n.opset >= 11 ? n.list(xs, 1, "pads") : n.ints("pads")?.slice()) ?? n.fail("has no pads");
  const value = n.opset >= 11 ? n.list(xs, 2, "constant value")?.[0] ?? 0 : n.float("value", 0);
  if (value !== 0) n.fail(`pads with ${value}; paralens imports padding with 0`);
  const rank = full.length;
  let axes = range(rank);
  if (n.opset >= 18 && n.list(xs, 3, "axes") !== undefined) axes = n.list(xs, 3, "axes")!.map((a) => n.axis(a, rank));
  if (pads.length !== 2 * axes.length) n.fail(`has ${pads.length} pads for ${axes.length} axes`);
  if (pads.some((p) => !Number.isInteger(p))) n.fail(`its pads ${fmtShape(pads)} are not whole numbers`);
  const along = full.map((d) => (Number.isNaN(d) ? WHOLE : range(d)));
  const padded = [...full];
  axes.forEach((a, i) => (padded[a] = full[a]! + pads[i]! + pads[i + axes.length]!));
  n.bounded(padded);
  axes.forEach((a, i) => {
    const [before, after] = [pads[i]!, pads[i + axes.length]!];
    if (before === 0 && after === 0) return;
    if (Number.isNaN(full[a]!)) n.fail("pads the batch axis");
    const d = full[a]!;
    along[a] = range(d + before + after).map((j) => j - before).map((j) => (j < 0 || j >= d ? -1 : j));
  });
  return [perExample(n, full, along, "pads")];
});

const tile = (): Rule => indexed((n, xs, full) => {
  const repeats = n.list(xs, 1, "repeats") ?? n.fail("has no repeats");
  if (repeats.length !== full.length || repeats.some((r) => !Number.isInteger(r) || r < 0)) n.fail(`its repeats ${fmtShape(repeats)} do not fit a value of rank ${full.length}`);
  n.bounded(full.map((d, i) => d * repeats[i]!));
  const along = full.map((d, i) => {
    if (Number.isNaN(d)) return repeats[i] === 1 ? WHOLE : n.fail("repeats the batch axis");
    return range(d * repeats[i]!).map((j) => j % d);
  });
  return [perExample(n, full, along, "tiles")];
});

const concat: Rule = {
  fold(n, xs) {
    const parts = xs as Known[];
    if (parts.some((p) => p === undefined)) n.fail("has a missing input");
    const rank = parts[0]!.shape.length;
    const axis = n.axis(n.int("axis", 0), rank);
    if (parts.some((p) => p.shape.length !== rank || p.shape.some((d, i) => i !== axis && d !== parts[0]!.shape[i]))) n.fail(`cannot join ${parts.map((p) => fmtShape(p.shape)).join(", ")} along axis ${axis}`);
    const out = [...parts[0]!.shape];
    out[axis] = parts.reduce((s, p) => s + p.shape[axis]!, 0);
    const outer = sizeOf(out.slice(0, axis));
    const data: number[] = [];
    for (let o = 0; o < outer; o++) for (const p of parts) {
      const w = sizeOf(p.shape.slice(axis));
      for (let j = 0; j < w; j++) data.push(p.data[o * w + j]!);
    }
    return [known(parts[0]!.dtype, out, data)];
  },
  live(n, xs) {
    const parts = xs.map((_, i) => liveIn(n, xs, i));
    const batched = parts.some((p) => p.batched);
    if (parts.some((p) => p.batched !== batched)) n.fail("joins values with a batch axis and values shared by all examples");
    const rank = parts[0]!.shape.length;
    const full = rank + (batched ? 1 : 0);
    const axis = batched ? n.exampleAxis(n.int("axis", 0), parts[0]!, "concatenates") : n.axis(n.int("axis", 0), full);
    for (const p of parts) {
      if (p.shape.length !== rank || p.shape.some((d, i) => i !== axis && d !== parts[0]!.shape[i])) n.fail(`cannot join ${parts.map((q) => n.shapeOf(q)).join(", ")} along axis ${axis + (batched ? 1 : 0)}`);
    }
    const out = [...parts[0]!.shape];
    out[axis] = parts.reduce((s, p) => s + p.shape[axis]!, 0);
    const before = sizeOf(out.slice(0, axis));
    return {
      outputs: [live(out, batched)],
      run(t, rs) {
        const rows = (batched ? t.n : 1) * before;
        const vs = rs.map((r, i) => t.reshape(tv(t, r), [rows, sizeOf(parts[i]!.shape.slice(axis))]));
        return [t.reshape(t.concatColumns(vs, [rows, sizeOf(out.slice(axis))]), batched ? [t.n, ...out] : out)];
      },
    };
  },
};

const expand: Rule = {
  fold(n, [x, s]) {
    const out = n.bounded(broadcast(x!.shape, Array.from(s!.data)) ?? n.fail(`cannot expand ${fmtShape(x!.shape)} to ${fmtShape(Array.from(s!.data))}`));
    if (out.some((d) => Number.isNaN(d))) n.fail("expands a constant along the batch axis; paralens keeps constants shared by all examples");
    return [mapKnown(x!, broadcastIndex(x!.shape, out), out)];
  },
  live(n, xs) {
    const x = liveIn(n, xs, 0);
    const target = n.list(xs, 1, "shape")!.map((d) => (Number.isNaN(d) ? 1 : d));
    const out = n.bounded(broadcast(fullShape(x).map((d) => (Number.isNaN(d) ? 1 : d)), target) ?? n.fail(`cannot expand ${n.shapeOf(x)} to ${fmtShape(target)}`));
    const per = x.batched ? out.slice(1) : out;
    if (x.batched && out[0] !== 1) n.fail("expands along the batch axis");
    return { outputs: [live(per, x.batched)], run: (t, [v]) => [t.broadcast(tv(t, v), x.batched ? [t.n, ...per] : per)] };
  },
};
function broadcastIndex(from: Shape, to: Shape): Int32Array {
  const st = strides(from);
  const outSt = strides(to);
  return Int32Array.from({ length: sizeOf(to) }, (_, t) => {
    let i = 0;
    for (let k = 0; k < to.length; k++) {
      const pk = k - (to.length - from.length);
      if (pk >= 0 && from[pk] !== 1) i += (Math.floor(t / outSt[k]!) % to[k]!) * st[pk]!;
    }
    return i;
  });
}

/** The rules of this file, by op (made when fromOnnx first needs them, so a program that never imports carries none). */
export function shapeRules(): Record<string, Rule> {
  return {
  Reshape: reshape(), Flatten: flatten(), Squeeze: squeeze(), Unsqueeze: unsqueeze(), Transpose: transpose(),
  Slice: slice(), Split: split(), Tile: tile(), Gather: gather, Pad: pad(), Concat: concat, Expand: expand,
};
}
