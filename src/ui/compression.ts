// The numbers of the compression panel: what learning X first saved on Y's code, what the control saved, the
// transfer between them, learning both at once, each run's code, the classical baselines, and the spread over
// seeds. Every saving comes from Lab.comparison (compare() over the common prefix of windows): nothing here is
// extrapolated. Pure functions over the Lab's state; the component only lays them out.
import type { Comparison, JointSummary } from '../lib/compare.ts';
import type { ControlKind } from '../lib/config.ts';
import { bitsPerByte, type CodeLength, type Conditional, type Transfer } from '../lib/metrics/bits.ts';
import { spread, withinNoise, type Spread } from '../lib/seeds.ts';
import type { RunView, SeedResult } from '../app/runs.svelte.ts';
import type { BaselineCurve, PlannedSource } from '../worker/protocol.ts';
import { size } from './format.ts';

/** C(target) − C(target|·) over the windows both runs have coded. */
export interface Saving {
  bits: number; // negative: the other start cost bits
  fraction: number; // of C(target) over the same bytes
  alone: CodeLength; // C(target) over those bytes
  given: CodeLength;
  bytes: number; // bytes of the target compared
  windows: number;
  partial: boolean; // fewer windows than the whole training stream: a comparison so far
}

export function savingOf(c: Conditional | undefined): Saving | null {
  if (!c) return null;
  return { bits: c.savedBits, fraction: c.savedFraction, alone: c.alone, given: c.given, bytes: c.alone.bytes, windows: c.windows, partial: c.windows < c.streamWindows };
}

/** What the comparisons cover, in words: "over all 212.5 kB of Y" or "over the first 1.20 MB of Y coded by both". */
export function coverage(s: { bytes: number; partial: boolean }, source: string, by = 'both'): string {
  return s.partial ? `over the first ${size(s.bytes)} of ${source} coded by ${by}` : `over all ${size(s.bytes)} of ${source}'s training text`;
}

/** The control's text, in words. */
export function controlName(kind: ControlKind): string {
  return kind === 'noise' ? 'noise' : kind === 'shuffle' ? 'shuffled X' : 'no control';
}

export function controlWhat(kind: ControlKind): string {
  return kind === 'noise'
    ? "noise over symbols Y never uses, X's length: what pretraining at all does, with nothing to share"
    : "X's tokens in a seeded random order: the same symbols and frequencies as X, and no order";
}

export interface Headline {
  raw: Saving | null; // C(Y) − C(Y|X): x → y against y
  control: Saving | null; // C(Y) − C(Y|C): c → y against y
  transfer: (Transfer & { partial: boolean }) | null; // C(Y|C) − C(Y|X)
  jointPart: Saving | null; // C(Y) − Y's part of xy
  joint: JointSummary | null; // C(X,Y) − C(X)
  reverse: Saving | null; // C(X) − C(X|Y): y → x against x
}

export function headline(c: Comparison): Headline {
  const t = c.transfer;
  const yx = c.conditional['Y|X'];
  return {
    raw: savingOf(yx),
    control: savingOf(c.conditional['Y|C']),
    transfer: t ? { ...t, partial: yx ? t.windows < yx.streamWindows : true } : null,
    jointPart: savingOf(c.conditional['Y|X joint']),
    joint: c.joint,
    reverse: savingOf(c.conditional['X|Y']),
  };
}

const total = (t: { bits: number[] } | undefined) => (t ? t.bits.reduce((a, b) => a + b, 0) : 0);

/** C(X, then Y) = C(X) + C(Y|X): the code of X by run x, then of Y by x → y from x's final weights. */
export interface Identity {
  cx: number; // bits, run x's code of X
  cyx: number; // bits, run x → y's code of Y so far
  xBytes: number;
  yBytes: number;
  yDone: boolean; // x → y has coded all of Y
}

export function identity(runs: RunView[]): Identity | null {
  const x = runs.find((r) => r.name === 'x');
  const x2y = runs.find((r) => r.name === 'x2y');
  const tx = x?.traces.X;
  const ty = x2y?.traces.Y;
  if (!x || !x2y || !tx || !ty || ty.bits.length === 0) return null;
  const sum = (a: number[]) => a.reduce((p, q) => p + q, 0);
  return { cx: total(tx), cyx: total(ty), xBytes: sum(tx.bytes), yBytes: sum(ty.bytes), yDone: x2y.step >= x2y.totalSteps };
}

export interface CodeCell {
  source: string;
  code: CodeLength;
  bpb: number;
  coverage: number; // fraction of the source's training text coded so far
}

export interface RunRow {
  run: string;
  waitingFor: string | null; // "starts when x finishes"
  started: boolean;
  done: boolean;
  valBpb: Record<string, number>; // latest validation bits per byte per source
  codes: CodeCell[]; // its prequential code of each source it trains on
}

export function runRows(runs: RunView[], sources: PlannedSource[], waitingFor: (run: string) => string | null): RunRow[] {
  return runs.map((r) => ({
    run: r.name,
    waitingFor: waitingFor(r.name),
    started: r.step > 0,
    done: r.totalSteps > 0 && r.step >= r.totalSteps,
    valBpb: Object.fromEntries(Object.entries(r.val).map(([s, v]) => [s, v.bitsPerByte])),
    codes: r.trainSources.flatMap((s) => {
      const c = r.code[s];
      if (!c || c.tokens === 0) return [];
      const src = sources.find((p) => p.name === s);
      return [{ source: s, code: c, bpb: bitsPerByte(c), coverage: src && src.trainBytes > 0 ? Math.min(1, c.bytes / src.trainBytes) : 0 }];
    }),
  }));
}

/** The classical codes of one source on the same bytes as the runs, in the same order. */
export interface BaselineRow {
  source: string;
  trainBytes: number;
  gzipTextBytes: number; // gzip of the training text as it is (text order)
  gzipBytes: number | null; // gzip of the same bytes in coding order
  ctxBits: number | null; // the context model's code, bits
  ctxGivenBits: number | null; // the context model having learnt the other source first
}

export function baselineRows(sources: PlannedSource[], baselines: Record<string, BaselineCurve>): BaselineRow[] {
  return sources
    .filter((s) => s.name === 'X' || s.name === 'Y')
    .map((s) => {
      const b = baselines[s.name];
      return {
        source: s.name,
        trainBytes: s.trainBytes,
        gzipTextBytes: s.gzipTrainBytes,
        gzipBytes: b ? (b.gzipBytes.at(-1) ?? null) : null,
        ctxBits: b?.ctxBits?.at(-1) ?? null,
        ctxGivenBits: b?.ctxGivenBits?.at(-1) ?? null,
      };
    });
}

/** One saving across the finished seeds, paired by seed (each value is a difference within one seed). */
export interface SeedLine {
  key: 'raw' | 'control' | 'transfer';
  bits: number[]; // per seed, in seed order
  fraction: number[]; // of C(Y), per seed
  stats: Spread; // of bits
  fracStats: Spread;
  noise: boolean; // |mean| < 2 sd (or one seed)
}

export function seedLines(results: SeedResult[]): SeedLine[] {
  const out: SeedLine[] = [];
  const pick = (key: SeedLine['key'], f: (r: SeedResult) => { bits: number; fraction: number } | null) => {
    const vals = results.map(f);
    if (results.length === 0 || vals.some((v) => v === null)) return;
    const bits = vals.map((v) => v!.bits);
    const fraction = vals.map((v) => v!.fraction);
    const stats = spread(bits);
    out.push({ key, bits, fraction, stats, fracStats: spread(fraction), noise: withinNoise(stats) });
  };
  const cond = (k: string) => (r: SeedResult) => {
    const c = r.summary.conditional[k];
    return c ? { bits: c.savedBits, fraction: c.savedFraction } : null;
  };
  pick('raw', cond('Y|X'));
  pick('control', cond('Y|C'));
  pick('transfer', (r) => (r.summary.transfer ? { bits: r.summary.transfer.bits, fraction: r.summary.transfer.fraction } : null));
  return out;
}
