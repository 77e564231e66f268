/** Rebuilds the cores and dist/ where they are older than their sources (scripts/built.mjs). */
export function ensureBuilt(): void;
