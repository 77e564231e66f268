// Learners compile one plan per batch size (or per structure) and reuse it.
// A plan holds arena memory, so only a few are kept: the least recently used
// is disposed when a new one is needed.

export class PlanCache<K, P extends { dispose(): void }> {
  private readonly plans = new Map<K, P>();

  constructor(private readonly limit: number) {}

  /** The plan for `key`, made by `make` if it is not cached. */
  get(key: K, make: () => P): P {
    let plan = this.plans.get(key);
    if (plan !== undefined) {
      this.plans.delete(key); // the most recently used goes last
    } else {
      if (this.plans.size >= this.limit) {
        const [oldest, old] = this.plans.entries().next().value!;
        this.plans.delete(oldest);
        old.dispose();
      }
      plan = make();
    }
    this.plans.set(key, plan);
    return plan;
  }

  /** Disposes every plan. */
  clear(): void {
    for (const plan of this.plans.values()) plan.dispose();
    this.plans.clear();
  }
}
