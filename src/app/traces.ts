// Cumulative code curves from per-window traces: a finished seed keeps a sampled copy of each run's curve,
// and the seeds' curves give a min–max band. Pure numbers, shared by the runs store and the charts.
import { cumulative } from '../lib/compare.ts';
import type { CodeTrace } from '../lib/metrics/bits.ts';

/** A cumulative code: bits spent after `bytes` bytes coded, both increasing. */
export interface SampledCurve {
  bytes: number[];
  bits: number[];
}

/** At most `points` points of a trace's running total, evenly spaced by window, always with the last. */
export function sampleCumulative(t: CodeTrace, points = 200): SampledCurve {
  const c = cumulative(t);
  const n = c.bytes.length;
  const out: SampledCurve = { bytes: [], bits: [] };
  if (n === 0) return out;
  const every = Math.max(1, Math.ceil(n / points));
  for (let i = every - 1; i < n; i += every) {
    out.bytes.push(c.bytes[i]);
    out.bits.push(c.bits[i]);
  }
  if (out.bytes[out.bytes.length - 1] !== c.bytes[n - 1]) {
    out.bytes.push(c.bytes[n - 1]);
    out.bits.push(c.bits[n - 1]);
  }
  return out;
}

/** The curve's value at x bytes, linear between its points and from (0, 0); NaN past its end. */
export function valueAt(c: SampledCurve, x: number): number {
  const { bytes, bits } = c;
  const n = bytes.length;
  if (n === 0 || x > bytes[n - 1]) return NaN;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bytes[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  const x1 = bytes[lo];
  const y1 = bits[lo];
  const x0 = lo > 0 ? bytes[lo - 1] : 0;
  const y0 = lo > 0 ? bits[lo - 1] : 0;
  return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

/** The min–max band of several curves over the bytes all of them cover, at `points` positions. */
export function band(curves: SampledCurve[], points = 120): { bytes: number[]; lo: number[]; hi: number[] } | null {
  const live = curves.filter((c) => c.bytes.length > 0);
  if (live.length < 2) return null;
  const end = Math.min(...live.map((c) => c.bytes[c.bytes.length - 1]));
  const out = { bytes: [] as number[], lo: [] as number[], hi: [] as number[] };
  for (let i = 1; i <= points; i++) {
    const x = (end * i) / points;
    const ys = live.map((c) => valueAt(c, x));
    out.bytes.push(x);
    out.lo.push(Math.min(...ys));
    out.hi.push(Math.max(...ys));
  }
  return out;
}

/** Where a learner's code drops below a baseline's for good: the first byte after the last point at which
 *  it was still at or above it. `null` if it has not (yet), or nothing to compare. */
export function overtakes(run: SampledCurve, base: SampledCurve): { at: number } | 'never' | null {
  const end = Math.min(run.bytes[run.bytes.length - 1] ?? 0, base.bytes[base.bytes.length - 1] ?? 0);
  if (!(end > 0)) return null;
  let lastAbove = -1;
  let compared = 0;
  for (let i = 0; i < run.bytes.length && run.bytes[i] <= end; i++) {
    compared++;
    if (run.bits[i] >= valueAt(base, run.bytes[i])) lastAbove = i;
  }
  if (compared === 0) return null;
  if (lastAbove === compared - 1) return 'never';
  return { at: lastAbove < 0 ? run.bytes[0] : run.bytes[lastAbove + 1] };
}
