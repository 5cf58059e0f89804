// The page's trace bookkeeping and the coding order its baselines use: a resumed run's chunks replace what
// came after its checkpoint; the coding order sends every training byte once, window by window, exactly as
// run y's prequential code does (checked against a real run's trace).
import { beforeAll, describe, expect, it } from 'vitest';
import { appendTrace, compare, cumulative } from '../src/lib/compare.ts';
import { codingOrder } from '../src/lib/data/order.ts';
import { planExperiment } from '../src/lib/harness.ts';
import { emptyTrace, type CodeTrace } from '../src/lib/metrics/bits.ts';
import { Rng } from '../src/lib/rng.ts';
import { Run, train } from '../src/lib/train/loop.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

const chunk = (from: number, bits: number[]) => ({ from, bits, bytes: bits.map(() => 4), tokens: bits.map(() => 4) });

describe('appendTrace', () => {
  it('appends in order, and a resumed run (from < length) replaces the windows after its checkpoint', () => {
    const t = emptyTrace();
    expect(appendTrace(t, chunk(0, [9, 8, 7]))).toBe(true);
    expect(appendTrace(t, chunk(3, [6, 5]))).toBe(true);
    expect(t.bits).toEqual([9, 8, 7, 6, 5]);
    // checkpoint after window 2: the run redoes windows 2… and its first chunk starts there
    expect(appendTrace(t, chunk(2, [1]))).toBe(true);
    expect(t.bits).toEqual([9, 8, 1]);
    expect(t.bytes).toHaveLength(3);
    expect(t.tokens).toHaveLength(3);
    // a gap would misalign every later window: refused, nothing changes
    expect(appendTrace(t, chunk(5, [2]))).toBe(false);
    expect(t.bits).toEqual([9, 8, 1]);
    expect(cumulative(t).bits).toEqual(Float64Array.from([9, 17, 18]));
    expect(cumulative(t).bytes).toEqual(Float64Array.from([4, 8, 12]));
  });

  it('compare() over live traces uses the common prefix only', () => {
    const t = (bits: number[]): CodeTrace => ({ bits, bytes: bits.map(() => 10), tokens: bits.map(() => 10) });
    const traces: Record<string, CodeTrace> = { y: t([50, 40, 30, 20]), x2y: t([30, 20]), c2y: t([45, 35, 25]) };
    const c = compare((run, source) => (source === 'Y' ? traces[run] : undefined), () => 4);
    expect(c.conditional['Y|X'].windows).toBe(2);
    expect(c.conditional['Y|X'].savedBits).toBe(90 - 50);
    expect(c.conditional['Y|C'].windows).toBe(3);
    expect(c.conditional['Y|C'].savedBits).toBe(120 - 105);
    expect(c.transfer!.bits).toBe(80 - 50);
    expect(c.transfer!.windows).toBe(2);
    expect(c.joint).toBeNull();
  });
});

describe('codingOrder', () => {
  it('sends each training byte once, and window by window as run y codes them', async () => {
    const cfg = tinyConfig({ logEvery: 2, evalEvery: 1000, seed: 5 });
    const rng = new Rng(4);
    const y = Array.from({ length: 900 }, () => 'abcdefgh '[rng.int(9)]).join('');
    const exp = planExperiment({ cfg, x: encode(y.split('').reverse().join('')), y: encode(y), runs: ['y'], embed: 'onehot' });
    const src = exp.dataset.sources[1];
    const order = codingOrder(exp.dataset, 1, exp.cfg);
    // a permutation of the training split: same length, same multiset of bytes
    expect(order.bytes.length).toBe(src.train.length);
    expect([...order.bytes].sort((a, b) => a - b)).toEqual([...src.train].sort((a, b) => a - b));
    // the first window sends its T + 1 tokens in text order
    const first = exp.specs[0];
    expect(first.name).toBe('y');
    const run = new Run({ ...first, init: exp.init });
    for await (const ev of train(run)) if (ev.type === 'error') throw new Error(ev.message);
    const ends = cumulative(run.trace.Y).bytes;
    expect(Array.from(ends)).toEqual(order.windowEnds);
    const w0 = order.windowEnds[0];
    const start = src.train.findIndex((_, i) => src.train.subarray(i, i + w0).every((b, j) => b === order.bytes[j]));
    expect(start).toBeGreaterThanOrEqual(0);
    run.dispose();
  });
});
