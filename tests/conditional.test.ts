// Conditioning on a dataset: the arithmetic of C(Y|X) on hand-made codes (sign, denominators, equal and
// unequal coverage), replay's draws, and the runs x2y and c2y against what they must mean.
import { beforeAll, describe, expect, it } from 'vitest';
import { StreamPlan } from '../src/lib/data/batches.ts';
import { Runner, planExperiment, summarize } from '../src/lib/harness.ts';
import { conditional, transfer, type CodeTrace } from '../src/lib/metrics/bits.ts';
import { readWeights } from '../src/lib/model/gpt.ts';
import { Rng } from '../src/lib/rng.ts';
import { spread, withinNoise } from '../src/lib/seeds.ts';
import { Run, train } from '../src/lib/train/loop.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

const trace = (bits: number[], bytes = bits.map(() => 10)): CodeTrace => ({ bits, bytes, tokens: bytes });

describe('conditional()', () => {
  it('compares equal coverage: saved = C(Y) − C(Y|X), fractions of C(Y)', () => {
    const c = conditional(trace([50, 40, 30]), trace([30, 20, 10]), 3)!;
    expect(c.alone.bits).toBe(120);
    expect(c.given.bits).toBe(60);
    expect(c.savedBits).toBe(60);
    expect(c.savedBitsPerByte).toBe(2); // 60 bits over 30 bytes
    expect(c.savedFraction).toBe(0.5); // of C(Y), not of C(Y|X)
    expect(c.windows).toBe(3);
  });

  it('is negative when the other source got in the way', () => {
    const c = conditional(trace([10, 10]), trace([15, 12]), 2)!;
    expect(c.savedBits).toBe(-7);
    expect(c.savedFraction).toBeCloseTo(-0.35, 12);
  });

  it('compares unequal coverage over the common prefix only, never extrapolating', () => {
    // alone has coded 4 windows, given 2: only the first 2 of each count
    const c = conditional(trace([50, 40, 30, 20]), trace([45, 35]), 10)!;
    expect(c.windows).toBe(2);
    expect(c.streamWindows).toBe(10);
    expect(c.alone.bits).toBe(90);
    expect(c.given.bits).toBe(80);
    expect(c.alone.bytes).toBe(20);
    expect(c.savedBits).toBe(10);
    expect(c.savedFraction).toBeCloseTo(10 / 90, 12);
  });

  it('refuses codes whose prefixes hold different bytes, and empty ones', () => {
    expect(conditional(trace([1, 2], [3, 4]), trace([1, 2], [3, 5]), 2)).toBeNull();
    expect(conditional(trace([]), trace([1]), 2)).toBeNull();
  });

  it('transfer = C(Y|C) − C(Y|X) over the windows all three cover', () => {
    const t = transfer(trace([50, 40, 30]), trace([20, 20]), trace([40, 30, 25]))!;
    expect(t.windows).toBe(2);
    expect(t.bits).toBe(70 - 40);
    expect(t.fraction).toBeCloseTo(30 / 90, 12);
  });

  it('spread and noise: mean ± sample sd, and within noise under twice the spread', () => {
    const s = spread([1, 2, 3]);
    expect(s.mean).toBe(2);
    expect(s.sd).toBe(1);
    expect([s.min, s.max]).toEqual([1, 3]);
    expect(withinNoise(s)).toBe(false); // |2| ≥ 2·1
    expect(withinNoise(spread([-1, 0.5, 1]))).toBe(true);
  });
});

describe('summarize()', () => {
  it('pairs each run alone with the right run given, over the same bytes: signs, denominators, transfer and joint', () => {
    const cfg = tinyConfig();
    const exp = planExperiment({ cfg, x: encode(english(5, 600)), y: encode(english(6, 600)), embed: 'onehot' });
    expect(exp.specs.map((s) => s.name)).toEqual(['x', 'y', 'xy', 'x2y', 'y2x', 'c', 'c2y']);
    const runs = exp.specs.map((s) => new Run({ ...s, init: exp.init }));
    // hand-made codes: windows of Y carry 12, 9, 15 bytes, windows of X 10, 11; 8 tokens each (bytes ≠ tokens)
    const Y = (bits: number[]): CodeTrace => ({ bits, bytes: [12, 9, 15], tokens: [8, 8, 8] });
    const X = (bits: number[]): CodeTrace => ({ bits, bytes: [10, 11], tokens: [8, 8] });
    const codes: Record<string, Record<string, CodeTrace>> = {
      x: { X: X([50, 45]) }, // 95
      y: { Y: Y([40, 30, 20]) }, // 90
      xy: { X: X([48, 41]), Y: Y([35, 27, 18]) }, // 89, 80
      x2y: { Y: Y([30, 20, 16]) }, // 66
      y2x: { X: X([44, 40]) }, // 84
      c: { C: X([60, 60]) },
      c2y: { Y: Y([38, 29, 19]) }, // 86
    };
    for (const r of runs) r.trace = codes[r.name];
    const s = summarize(exp, runs);
    const c = s.conditional;
    // alone is always the run on that source alone; given the run that knew the other source
    expect(Object.keys(c).sort()).toEqual(['X|Y', 'X|Y joint', 'Y|C', 'Y|X', 'Y|X joint']);
    for (const k of ['Y|X', 'Y|X joint', 'Y|C']) expect(c[k].alone).toEqual({ bits: 90, bytes: 36, tokens: 24 });
    for (const k of ['X|Y', 'X|Y joint']) expect(c[k].alone).toEqual({ bits: 95, bytes: 21, tokens: 16 });
    expect([c['Y|X'].given.bits, c['Y|X joint'].given.bits, c['Y|C'].given.bits, c['X|Y'].given.bits, c['X|Y joint'].given.bits]).toEqual([66, 80, 86, 84, 89]);
    // saved = alone − given (positive when the other source helped), per byte of the source, as a fraction of alone
    expect(c['Y|X'].savedBits).toBe(24);
    expect(c['Y|X'].savedBitsPerByte).toBeCloseTo(24 / 36, 12);
    expect(c['Y|X'].savedFraction).toBeCloseTo(24 / 90, 12); // of C(Y) = 90, not of C(Y|X) = 66
    expect(c['Y|X joint'].savedBits).toBe(10);
    expect(c['Y|C'].savedBits).toBe(4);
    expect(c['X|Y'].savedBits).toBe(11);
    expect(c['X|Y'].savedFraction).toBeCloseTo(11 / 95, 12);
    expect(c['X|Y joint'].savedBits).toBe(6);
    expect(c['Y|X'].windows).toBe(3);
    expect(c['Y|X'].streamWindows).toBe(s.sources.Y.trainWindows);
    // transfer: C(Y|C) − C(Y|X) = 86 − 66, a fraction of C(Y)
    expect(s.transfer).toMatchObject({ bits: 20, bytes: 36, windows: 3 });
    expect(s.transfer!.fraction).toBeCloseTo(20 / 90, 12);
    // joint: C(X,Y) − C(X) = (89 + 80) − 95 = 74 against C(Y) = 90
    expect(s.joint).toMatchObject({ bits: 74, savedBits: 16, windowsX: 2, windowsY: 3 });
    expect(s.joint!.savedFraction).toBeCloseTo(16 / 90, 12);
    for (const r of runs) r.dispose();
  });
});

describe('replay', () => {
  it('draws only windows already coded, none at step 0, the same for y and x2y', () => {
    const cfg = tinyConfig({ batchSize: 4 });
    const exp = planExperiment({ cfg, x: encode('x'.repeat(800)), y: encode(new Rng(3).shuffle([...'abcdefgh'.repeat(100)]).join('')), runs: ['y', 'x2y'], embed: 'onehot' });
    const plan = new StreamPlan(exp.dataset, [1], cfg);
    expect(plan.replay(0, 8)).toEqual([]);
    const order = plan.passOrder(0);
    for (let step = 1; step < plan.totalSteps; step++) {
      const coded = new Set(order.slice(0, step * 4).map((w) => w.start));
      const drawn = plan.replay(step, 8);
      expect(drawn).toHaveLength(8);
      for (const w of drawn) expect(coded.has(w.start)).toBe(true);
      expect(new StreamPlan(exp.dataset, [1], cfg).replay(step, 8)).toEqual(drawn); // seeded by the stream, not the run
    }
  });
});

/** Order that a small model learns in a few steps and a shuffle destroys: 16 letters, each followed by
 *  the next one (cyclically) with probability 0.9, else by a random one. Its letters are near uniform. */
function cycle(seed: number, n: number): string {
  const rng = new Rng(seed);
  let k = 0;
  let s = '';
  for (let i = 0; i < n; i++) {
    k = rng.float() < 0.9 ? (k + 1) % 16 : rng.int(16);
    s += String.fromCharCode(97 + k);
  }
  return s;
}

/** A text with structure a small model learns in a few steps. */
function english(seed: number, n: number): string {
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'dog', 'ran', 'to', 'its', 'bed'];
  const rng = new Rng(seed);
  let s = '';
  while (s.length < n) s += words[rng.int(words.length)] + (rng.int(6) === 0 ? '. ' : ' ');
  return s.slice(0, n);
}

async function drain(runner: Runner): Promise<void> {
  for await (const ev of runner.train()) if (ev.type === 'error') throw new Error(ev.message);
}

describe('x then y', () => {
  it('x2y differs from y only in its starting weights, and C(X, then Y) = C(X) + C(Y|X) to the bit', async () => {
    const cfg = tinyConfig({ lr: 1e-2, logEvery: 3, evalEvery: 1000, replay: 1 });
    const text = english(1, 1500);
    const exp = planExperiment({ cfg, x: encode(english(2, 1500)), y: encode(text), runs: ['y', 'x2y'], embed: 'onehot' });
    const runner = new Runner(exp);
    await drain(runner);
    const [x, y, x2y] = ['x', 'y', 'x2y'].map((n) => runner.get(n)!);
    // the same windows in the same order: every window of Y carries the same bytes in both runs
    expect(x2y.trace.Y.bytes).toEqual(y.trace.Y.bytes);
    expect(x2y.step).toBe(y.step);
    // started from y's initial weights instead, x2y is run y, to the bit
    const twin = new Run({ ...exp.specs.find((s) => s.name === 'x2y')!, init: exp.init });
    for await (const ev of train(twin)) if (ev.type === 'error') throw new Error(ev.message);
    expect(twin.trace.Y.bits).toEqual(y.trace.Y.bits);
    twin.dispose();
    // started from x's final weights (read back independently), x2y's code is reproduced to the bit:
    // a decoder that decodes X with run x and then Y from those weights spends C(X) + C(Y|X) exactly
    const again = new Run({ ...exp.specs.find((s) => s.name === 'x2y')!, init: await readWeights(x.params) });
    for await (const ev of train(again)) if (ev.type === 'error') throw new Error(ev.message);
    expect(again.trace.Y.bits).toEqual(x2y.trace.Y.bits);
    again.dispose();
    const s = summarize(exp, runner.runs);
    const sum = (t: CodeTrace) => t.bits.reduce((a, b) => a + b, 0);
    expect(s.conditional['Y|X'].given.bits).toBe(sum(x2y.trace.Y));
    expect(s.runs.x.prequential.X.bits + s.conditional['Y|X'].given.bits).toBe(sum(x.trace.X) + sum(x2y.trace.Y));
    runner.dispose();
  });

  it('with X = Y, x2y codes Y far below y, and most of that saving is transfer: the shuffled control explains less than half', async () => {
    const cfg = tinyConfig({ lr: 1e-2, logEvery: 5, evalEvery: 1000 });
    const text = encode(cycle(7, 2000));
    const exp = planExperiment({ cfg, x: text, y: text, runs: ['y', 'x2y', 'c2y'], embed: 'onehot' });
    const runner = new Runner(exp);
    await drain(runner);
    const s = summarize(exp, runner.runs);
    runner.dispose();
    // learning X first, when X is Y's own text, leaves little of Y to learn 
    expect(s.conditional['Y|X'].savedFraction).toBeGreaterThan(0.3); // measured: 47%
    expect(s.conditional['Y|X'].windows).toBe(s.sources.Y.trainWindows);
    // the shuffled control learns the letters' frequencies and no order
    expect(s.transfer!.bits).toBeGreaterThan(0.5 * s.conditional['Y|X'].savedBits); // measured: 2547 of 4456 bits
  });

  it('with X itself orderless, X and its shuffle teach the same: the transfer is within noise across seeds', async () => {
    const transfers: number[] = [];
    const saved: number[] = [];
    for (const seed of [1, 2, 3]) {
      const cfg = tinyConfig({ lr: 1e-2, logEvery: 5, evalEvery: 1000, seed });
      const y = english(11, 1500);
      const x = new Rng(99).shuffle([...english(12, 1500)]).join(''); // unigram statistics only
      const exp = planExperiment({ cfg, x: encode(x), y: encode(y), runs: ['y', 'x2y', 'c2y'], embed: 'onehot' });
      const runner = new Runner(exp);
      await drain(runner);
      const s = summarize(exp, runner.runs);
      runner.dispose();
      transfers.push(s.transfer!.bits);
      saved.push(s.conditional['Y|X'].savedBits);
    }
    const t = spread(transfers);
    // the control explains what X taught: the transfer is within noise, and small beside the raw saving
    expect(withinNoise(t) || Math.abs(t.mean) < 0.1 * Math.abs(spread(saved).mean)).toBe(true);
  });
});

describe('equal coverage under --steps', () => {
  it('compares xy and y over the common prefix of Y windows, not per byte of unequal text', async () => {
    const cfg = tinyConfig({ steps: 6, logEvery: 3, evalEvery: 1000 });
    const exp = planExperiment({ cfg, x: encode(english(3, 1500)), y: encode(english(4, 1500)), runs: ['y', 'xy'], embed: 'onehot', control: 'none' });
    const runner = new Runner(exp);
    await drain(runner);
    const s = summarize(exp, runner.runs);
    const joint = s.conditional['Y|X joint'];
    const xyY = runner.get('xy')!.trace.Y.bits.length;
    expect(xyY).toBeLessThan(runner.get('y')!.trace.Y.bits.length); // xy spends some of its 6 steps on X
    expect(joint.windows).toBe(xyY);
    expect(joint.alone.bytes).toBe(joint.given.bytes);
    expect(joint.alone.bytes).toBeLessThan(runner.get('y')!.prequential.Y.bytes);
    runner.dispose();
  });
});
