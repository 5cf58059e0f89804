// Tick values for the chart's log-scale y axis: round numbers, evenly spread on a log scale. Chart.js's own
// log ticks count 1…9 in each decade, which in the narrow range of bits per byte (say 3.5 to 9) reads
// 4, 5, 5.5, 6, 7, 9 and crowds the labels.

/** Mantissas from sparse to dense: 1-2-5 first; a denser set only when 1-2-5 leaves fewer than `min` ticks. */
const LADDERS = [
  [1, 2, 5],
  [1, 1.5, 2, 3, 5, 7],
  [1, 1.5, 2, 3, 4, 5, 6, 8],
  [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8, 9],
];

/** Round tick values within [lo, hi] (lo > 0): the sparsest ladder that gives at least `min` ticks, and at
 *  most `max`. A range too narrow for any ladder falls back to evenly spaced round values. */
export function logTicks(lo: number, hi: number, min = 3, max = 8): number[] {
  if (!(lo > 0) || !(hi > lo) || !Number.isFinite(hi)) return [];
  const within = (m: number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      for (const k of m) {
        const v = Number((k * 10 ** e).toPrecision(6)); // 0.30000000000000004 → 0.3
        if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
      }
    }
    return out;
  };
  for (const m of LADDERS) {
    const t = within(m);
    if (t.length >= min) return t.length <= max ? t : thinEvenly(t, max);
  }
  return linearTicks(lo, hi, min);
}

/** At most `max` of `t`, every k-th from the first. */
function thinEvenly(t: number[], max: number): number[] {
  const step = Math.ceil((t.length - 1) / (max - 1));
  return t.filter((_, i) => i % step === 0);
}

/** Evenly spaced values at a 1-2-5 step, at least `min` of them inside [lo, hi]. */
function linearTicks(lo: number, hi: number, min: number): number[] {
  let step = 10 ** Math.floor(Math.log10(hi - lo));
  const steps = [1, 0.5, 0.2];
  for (let i = 0; i < 12; i++) {
    const s = step * steps[i % 3];
    const out: number[] = [];
    for (let v = Math.ceil(lo / s) * s; v <= hi * (1 + 1e-9); v += s) out.push(Number(v.toPrecision(6)));
    if (out.length >= min) return out;
    if (i % 3 === 2) step /= 10;
  }
  return [lo, hi];
}
