// Several seeds of one experiment: every number of the summaries, paired by seed, as mean ± standard
// deviation with its range. Savings are differences within one seed, so their spread is the paired one.
import type { Summary } from './harness.ts';

export interface Spread {
  mean: number;
  sd: number; // sample standard deviation (n − 1); 0 for one seed
  min: number;
  max: number;
  n: number;
}

export function spread(xs: number[]): Spread {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs), n };
}

/** A difference is "within noise" when it is under twice its spread across seeds (or only one seed ran). */
export function withinNoise(s: Spread): boolean {
  return s.n < 2 || Math.abs(s.mean) < 2 * s.sd;
}

/** Every finite number under `conditional`, `transfer`, `joint` and `runs`, keyed by its dotted path. */
export function flatten(o: unknown, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  if (typeof o === 'number') {
    if (Number.isFinite(o)) out[prefix] = o;
  } else if (o && typeof o === 'object' && !Array.isArray(o)) {
    for (const [k, v] of Object.entries(o)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** The spread of each field present in every seed's summary. */
export function seedStats(summaries: Summary[]): Record<string, Spread> {
  const flat = summaries.map((s) => flatten({ conditional: s.conditional, transfer: s.transfer, joint: s.joint, runs: s.runs }));
  const out: Record<string, Spread> = {};
  if (flat.length === 0) return out;
  for (const key of Object.keys(flat[0])) {
    if (flat.every((f) => key in f)) out[key] = spread(flat.map((f) => f[key]));
  }
  return out;
}
