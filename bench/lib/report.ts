// What every suite prints: readable rows as it goes, then one JSON line
// {"suite", "peak_gflops", "rows": [{case, ours, peer, peer_value, unit, ratio}]}.

export interface Row {
  case: string;
  ours: number;
  /** Which peer the case is compared with, or "not installed" / "none". */
  peer: string;
  peer_value: number | null;
  unit: string;
  /** ours / peer_value (or peer_value / ours for units where lower is better); null without a peer. */
  ratio: number | null;
  /** Extra numbers (e.g. % of peak), printed and kept in the JSON. */
  [extra: string]: unknown;
}

const fmt = (x: number | null): string => (x === null ? "-" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export class Report {
  readonly rows: Row[] = [];
  constructor(readonly suite: string, public peakGflops: number | null = null) {}

  add(row: Row): void {
    this.rows.push(row);
    const extras = Object.entries(row)
      .filter(([k]) => !["case", "ours", "peer", "peer_value", "unit", "ratio"].includes(k))
      .map(([k, v]) => `${k} ${typeof v === "number" ? fmt(v) : String(v)}`);
    console.log(
      `${row.case.padEnd(34)} ours ${fmt(row.ours).padStart(8)} ${row.unit.padEnd(9)} ${row.peer.padEnd(16)} ${fmt(row.peer_value).padStart(8)}` +
        `  ratio ${fmt(row.ratio).padStart(6)}${extras.length ? "  " + extras.join("  ") : ""}`,
    );
  }

  /** The final JSON line. */
  finish(): void {
    const round = (x: unknown): unknown => (typeof x === "number" ? Number(x.toPrecision(4)) : x);
    const rows = this.rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round(v)])));
    console.log(JSON.stringify({ suite: this.suite, peak_gflops: round(this.peakGflops), rows }));
  }
}
