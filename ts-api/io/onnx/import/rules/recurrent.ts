// ONNX's recurrent nodes, LSTM and GRU (torch.onnx.export writes them for
// nn.LSTM and nn.GRU), unrolled over the sequence on the tape: the input's
// products for every step at once, then for each step the state's product,
// the gates and the next state. W, R and B are read as the file holds them
// (gates in ONNX's order: an LSTM's i, o, f, c, a GRU's z, r, h), so they
// stay the file's parameters and their gradients come back in its layout.
// paralens's own cells (cdl/cells.ts) are Paras with their own gate layout,
// and nn.GRU's reset after the state's product is not their GRU.
import { range } from "../known.ts";
import type { Tv } from "../tape.ts";
import { sameView, viewOf } from "../view.ts";
import { type Ctx, type In, type Rule, live, liveIn, tv } from "./rule.ts";

/** The longest sequence unrolled: each step is a dozen ops on the tape. */
const MAX_STEPS = 4096;

const ACTIVATIONS: Record<string, readonly string[]> = { LSTM: ["Sigmoid", "Tanh", "Tanh"], GRU: ["Sigmoid", "Tanh"] };

/** The attributes paralens computes as ONNX's defaults; anything else is refused by name. */
function checkAttributes(n: Ctx, op: "LSTM" | "GRU"): void {
  const direction = n.string("direction", "forward");
  if (direction !== "forward") n.fail(`its attribute direction is "${direction}"; paralens imports direction "forward" only`);
  const acts = n.node.attributes.get("activations");
  if (acts !== undefined) {
    const want = ACTIVATIONS[op]!;
    const same = acts.kind === "strings" && acts.value.length === want.length && acts.value.every((a, i) => a.toLowerCase() === want[i]!.toLowerCase());
    if (!same) n.fail(`its attribute activations is not the default (${want.join(", ")}); paralens imports the default activations only`);
  }
  if (n.node.attributes.has("clip")) n.fail("its attribute clip is set; paralens imports cells without clipping");
  if (op === "LSTM" && n.int("input_forget", 0) !== 0) n.fail("its attribute input_forget is 1; paralens imports input_forget 0 only");
  if (op === "LSTM" && n.node.inputs[7] !== undefined && n.node.inputs[7] !== "") n.fail(`has peepholes (input 7, P, "${n.node.inputs[7]}"); paralens imports LSTM without peepholes`);
}

/** A tensor shared by all examples with the given shape (a weight, a bias). */
function shared(n: Ctx, xs: readonly In[], i: number, what: string, shape: readonly number[]): void {
  const x = liveIn(n, xs, i);
  if (x.batched) n.fail(`its ${what} (input ${i}) depends on the model's input; paralens imports it as a weight or a constant`);
  if (x.shape.length !== shape.length || x.shape.some((d, j) => d !== shape[j])) n.fail(`its ${what} (input ${i}) is ${n.shapeOf(x)}, expected [${shape.join(", ")}]`);
}

/**
 * An initial state: absent or known zeros (false: the cell starts from
 * zeros), or a value per example [1, batch, H] (layout 1: [batch, 1, H]).
 */
function initialState(n: Ctx, xs: readonly In[], i: number, what: string, hidden: number, layout: number): boolean {
  const s = xs[i];
  if (s === undefined || n.node.inputs[i] === "") return false;
  if (s.kind === "known") {
    const ok = s.shape.length === 3 && s.shape[layout === 0 ? 0 : 1] === 1 && s.shape[2] === hidden;
    if (!ok || s.data.some((v) => v !== 0)) n.fail(`its ${what} (input ${i}) is a constant ${n.shapeOf({ shape: s.shape, batched: false })} that is not zeros of ${layout === 0 ? `[1, batch, ${hidden}]` : `[batch, 1, ${hidden}]`}; paralens imports zeros or a value computed per example`);
    return false;
  }
  const want = { shape: [1, hidden], view: layout === 0 ? viewOf(1, [1, 1, 1]) : undefined };
  if (!s.batched || s.shape.length !== 2 || s.shape[0] !== 1 || s.shape[1] !== hidden || !sameView(s, want)) {
    n.fail(`its ${what} (input ${i}) is ${n.shapeOf(s)}; paralens imports it as zeros or ${layout === 0 ? `[1, batch, ${hidden}]` : `[batch, 1, ${hidden}]`} computed per example`);
  }
  return true;
}

/** Columns [from, from + width) of each example's row. */
const columns = (from: number, width: number): Int32Array => Int32Array.from(range(width), (j) => from + j);

/* @__NO_SIDE_EFFECTS__ */
function recurrent(op: "LSTM" | "GRU"): Rule {
  const G = op === "LSTM" ? 4 : 3;
  return {
    views: true,
    live(n, xs) {
      checkAttributes(n, op);
      const layout = n.int("layout", 0);
      if (layout !== 0 && layout !== 1) n.fail(`its attribute layout is ${layout}; ONNX defines 0 and 1`);
      const x = liveIn(n, xs, 0);
      // X [T, batch, I] (layout 1: [batch, T, I]): each example's [T, I] on the tape either way
      const xView = layout === 0 ? viewOf(1, [1, 1, 1]) : undefined;
      if (!x.batched || x.shape.length !== 2 || !sameView(x, { shape: x.shape, view: xView })) {
        n.fail(`its X is ${n.shapeOf(x)}; paralens imports X ${layout === 0 ? "[T, batch, input] (layout 0)" : "[batch, T, input] (layout 1)"} with the batch axis the model's own`);
      }
      const [T, I] = x.shape as [number, number];
      if (T < 1 || T > MAX_STEPS) n.fail(`its sequence has ${T} steps; paralens unrolls 1 to ${MAX_STEPS}`);
      const H = n.int("hidden_size", 0);
      if (!Number.isInteger(H) || H < 1) n.fail(`its attribute hidden_size is ${H}; it must be a positive whole number`);
      n.bounded([G * H, Math.max(I, H)], "weights");
      shared(n, xs, 1, "W", [1, G * H, I]);
      shared(n, xs, 2, "R", [1, G * H, H]);
      const hasB = xs[3] !== undefined && n.node.inputs[3] !== "";
      if (hasB) shared(n, xs, 3, "B", [1, 2 * G * H]);
      if (xs[4] !== undefined && n.node.inputs[4] !== "") {
        const lens = n.known(xs, 4, "sequence_lens");
        if (Array.from(lens.data).some((l) => l !== T)) n.fail(`its sequence_lens are not all ${T}; paralens imports sequences of the full length only`);
      }
      const h0 = initialState(n, xs, 5, "initial_h", H, layout);
      const c0 = op === "LSTM" && initialState(n, xs, 6, "initial_c", H, layout);
      const reset = op === "GRU" ? n.int("linear_before_reset", 0) !== 0 : false;

      // the outputs: Y [T, 1, batch, H] and Y_h, Y_c [1, batch, H] (layout 1: [batch, T, 1, H], [batch, 1, H]); each example's [T, 1, H] and [1, H]
      const yView = layout === 0 ? viewOf(2, [1, 1, 1, 1]) : undefined;
      const stateOut = live([1, H], true, xView);
      const outputs = [live([T, 1, H], true, yView), stateOut, ...(op === "LSTM" ? [stateOut] : [])];
      const steps = range(T).map((s) => columns(s * G * H, G * H));
      // the tape keeps a map's batched index by the map: one map per width it reads
      const gates = range(G).map((g) => columns(g * H, H));
      const zrGates = range(2).map((g) => columns(g * H, H));
      const halves = [columns(0, G * H), columns(G * H, G * H)];
      // a GRU's recurrent weights: z and r's rows together, h's apart (they meet the reset gate)
      const zr = [columns(0, 2 * H * H), columns(2 * H * H, H * H), columns(0, 2 * H), columns(2 * H, H)] as const;
      return {
        outputs,
        run(t, rs) {
          const X = tv(t, rs[0]);
          const W = t.reshape(tv(t, rs[1]), [G * H, I]);
          const R = t.reshape(tv(t, rs[2]), [G * H, H]);
          const B = hasB ? t.reshape(tv(t, rs[3]), [2 * G * H]) : undefined;
          const [Wb, Rb] = B ? halves.map((m) => t.indexMap(B, m, [G * H])) : [undefined, undefined];
          // every step's input product at once: [batch * T, I] W^T (+ Wb, and for an LSTM Rb too: both only add to the gates)
          let xw = t.matmul(t.reshape(X, [t.n * T, I]), W, true);
          if (Wb) xw = t.binary("add", xw, op === "LSTM" ? t.binary("add", Wb, Rb!) : Wb);
          xw = t.reshape(xw, [t.n, T, G * H]);
          const start = (i: number, on: boolean): Tv | undefined => (on ? t.reshape(tv(t, rs[i]), [t.n, H]) : undefined);
          let h = start(5, h0);
          let c = start(6, c0);
          const cell = op === "LSTM" ? undefined : {
            Rzr: t.indexMap(R, zr[0], [2 * H, H]), Rh: t.indexMap(R, zr[1], [H, H]),
            Rbzr: Rb && t.indexMap(Rb, zr[2], [2 * H]), Rbh: Rb && t.indexMap(Rb, zr[3], [H]),
          };
          const hs: Tv[] = [];
          for (let s = 0; s < T; s++) {
            const xt = t.indexMap(xw, steps[s]!, [G * H]);
            if (op === "LSTM") {
              const pre = h ? t.binary("add", xt, t.matmul(h, R, true)) : xt;
              // ONNX's order: i, o, f, c
              const [i, o, f, g] = gates.map((m, k) => t.unary(k === 3 ? "tanh" : "sigmoid", t.indexMap(pre, m, [H])));
              const ig = t.binary("mul", i!, g!);
              c = c ? t.binary("add", t.binary("mul", f!, c), ig) : ig;
              h = t.binary("mul", o!, t.unary("tanh", c));
            } else {
              const [xz, xr, xh] = gates.map((m) => t.indexMap(xt, m, [H]));
              const sum = (a: Tv, b: Tv | undefined): Tv => (b ? t.binary("add", a, b) : a);
              // z and r: x Wz^T + h Rz^T + Wbz + Rbz (and the same for r)
              const hzr = h ? sum(t.matmul(h, cell!.Rzr, true), cell!.Rbzr) : cell!.Rbzr;
              const hz = hzr && t.indexMap(hzr, zrGates[0]!, [H]);
              const hr = hzr && t.indexMap(hzr, zrGates[1]!, [H]);
              const z = t.unary("sigmoid", sum(xz!, hz));
              const r = t.unary("sigmoid", sum(xr!, hr));
              // the candidate: linear_before_reset resets after the state's product (nn.GRU), otherwise before it
              let hh: Tv | undefined;
              if (reset) {
                const lin = h ? sum(t.matmul(h, cell!.Rh, true), cell!.Rbh) : cell!.Rbh;
                hh = lin && t.binary("mul", r, lin);
              } else hh = h ? sum(t.matmul(t.binary("mul", r, h), cell!.Rh, true), cell!.Rbh) : cell!.Rbh;
              const cand = t.unary("tanh", sum(xh!, hh));
              // (1 - z) n + z h = n + z (h - n)
              h = t.binary("add", cand, t.binary("mul", z, h ? t.binary("sub", h, cand) : t.unary("neg", cand)));
            }
            hs.push(h);
          }
          const y = t.reshape(t.concatColumns(hs, [t.n, T * H]), [t.n, T, 1, H]);
          const last = (v: Tv): Tv => t.reshape(v, [t.n, 1, H]);
          return [y, last(h!), ...(op === "LSTM" ? [last(c!)] : [])];
        },
      };
    },
  };
}

/** The rules of this file, by op (made when fromOnnx first needs them, so a program that never imports carries none). */
export function recurrentRules(): Record<string, Rule> {
  return { LSTM: /* @__PURE__ */ recurrent("LSTM"), GRU: /* @__PURE__ */ recurrent("GRU") };
}
