// Slots: where each value of a phase lives in the scratch of a block. A
// linear scan over the ordered instructions: a value takes a free slot when
// it is computed or loaded, and gives it back after its last read, so the
// scratch holds at most the values live at once (order.ts keeps that small).
import type { Phase, Sym } from "../program.ts";

/** Assigns slots by a linear scan: a slot is free again after the last read of its value. */
export function assignSlots(list: readonly Sym[], size: number): Phase {
  const last = new Int32Array(size).fill(-1);
  list.forEach((s, i) => {
    if (s.a >= 0) last[s.a] = i;
    if (s.b >= 0) last[s.b] = i;
    if (s.c >= 0) last[s.c] = i;
  });
  const slotOf = new Int32Array(size);
  const free: number[] = [];
  let slots = 0;
  const ops = new Int32Array(list.length * 7);
  list.forEach((s, i) => {
    const [a, b, c] = [s.a < 0 ? 0 : slotOf[s.a]!, s.b < 0 ? 0 : slotOf[s.b]!, s.c < 0 ? 0 : slotOf[s.c]!];
    // each operand's slot is freed once, after its last read (an operand may appear twice)
    if (s.a >= 0 && last[s.a] === i) free.push(a);
    if (s.b >= 0 && s.b !== s.a && last[s.b] === i) free.push(b);
    if (s.c >= 0 && s.c !== s.a && s.c !== s.b && last[s.c] === i) free.push(c);
    let d = 0;
    if (s.d >= 0) {
      d = free.length > 0 ? free.pop()! : slots++;
      slotOf[s.d] = d;
      // a value nothing reads (cannot happen for scheduled gates) frees its slot at once
      if (last[s.d] === -1) free.push(d);
    }
    const at = i * 7;
    ops[at] = s.op;
    ops[at + 1] = d;
    ops[at + 2] = a;
    ops[at + 3] = b;
    ops[at + 4] = c;
    ops[at + 5] = s.space;
    ops[at + 6] = s.index;
  });
  return { ops, count: list.length, slots };
}

