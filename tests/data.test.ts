import { describe, expect, it } from 'vitest';
import { UserError } from '../src/lib/config.ts';
import { PrequentialLedger, StreamPlan, buildDataset, evalWindowStarts, minTokens, trainWindowStarts } from '../src/lib/data/batches.ts';
import { encode, tinyConfig } from './helpers.ts';

describe('train / validation split', () => {
  it('holds out the last valFraction, the same way every time', () => {
    const cfg = tinyConfig({ valFraction: 0.1 });
    const text = 'abcdefghij'.repeat(100);
    const ds = buildDataset([{ name: 'X', data: encode(text) }], cfg);
    expect(ds.sources[0].val.length).toBe(100);
    expect(ds.sources[0].train.length).toBe(900);
    expect(ds.tokenizer.decode(ds.sources[0].val)).toBe(text.slice(900));
    const again = buildDataset([{ name: 'X', data: encode(text) }], cfg);
    expect(Array.from(again.sources[0].train)).toEqual(Array.from(ds.sources[0].train));
  });

  it('refuses empty and too-short sources with a clear message', () => {
    const cfg = tinyConfig();
    expect(() => buildDataset([{ name: 'X', data: new Uint8Array() }], cfg)).toThrow('X is empty');
    const need = minTokens(cfg);
    expect(need).toBeGreaterThanOrEqual(2 * (cfg.blockSize + 1));
    expect(() => buildDataset([{ name: 'Y', data: encode('a'.repeat(need - 1)) }], cfg)).toThrow(/Y is too short: \d+ tokens/);
    expect(() => buildDataset([{ name: 'Y', data: encode('a'.repeat(need)) }], cfg)).not.toThrow();
  });

  it('maxBytes keeps a prefix, on a character boundary for the char tokenizer', () => {
    const data = encode('é'.repeat(1000)); // 2 bytes each
    const ds = buildDataset([{ name: 'X', data }], tinyConfig({ tokenizer: 'char', maxBytes: 501 }));
    expect(ds.sources[0].train.length + ds.sources[0].val.length).toBe(250);
    expect(() => buildDataset([{ name: 'X', data }], tinyConfig({ tokenizer: 'byte', maxBytes: 501 }))).not.toThrow(UserError);
  });
});

describe('windows', () => {
  it('training windows make every token but the first a target exactly once', () => {
    for (const [n, T] of [[1000, 16], [1001, 16], [17, 16], [33, 16], [500, 7]]) {
      const hits = new Uint8Array(n);
      for (const s of trainWindowStarts(n, T)) {
        expect(s + T).toBeLessThanOrEqual(n - 1);
        for (let j = 1; j <= T; j++) hits[s + j] = 1;
      }
      expect(hits[0]).toBe(0);
      expect(hits.subarray(1).every((h) => h === 1)).toBe(true);
    }
  });

  it('validation windows are fixed, evenly spread and never share a target', () => {
    const starts = evalWindowStarts(10_000, 16, 32);
    expect(starts.length).toBe(32);
    expect(evalWindowStarts(10_000, 16, 32)).toEqual(starts);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(16);
    expect(starts[starts.length - 1] + 16).toBeLessThanOrEqual(9_999);
    expect(evalWindowStarts(100, 16, 32).length).toBe(6); // fewer windows than the cap: all of them
  });
});

describe('the training stream', () => {
  const cfg = tinyConfig({ batchSize: 5 });
  const ds = buildDataset(
    [
      { name: 'X', data: encode('the quick brown fox jumps over the lazy dog. '.repeat(40)) },
      { name: 'Y', data: encode('pack my box with five dozen liquor jugs! '.repeat(30)) },
    ],
    cfg,
  );

  it('one pass visits every window once; xy takes as many steps as x and y together', () => {
    const x = new StreamPlan(ds, [0], cfg);
    const y = new StreamPlan(ds, [1], cfg);
    const xy = new StreamPlan(ds, [0, 1], cfg);
    expect(xy.windowsPerPass).toBe(x.windowsPerPass + y.windowsPerPass);
    expect(Math.abs(xy.totalSteps - (x.totalSteps + y.totalSteps))).toBeLessThanOrEqual(1);
    const seen = new Set<string>();
    for (let s = 0; s < xy.totalSteps; s++) for (const { window, pass } of xy.batch(s)) {
      expect(pass).toBe(0);
      seen.add(`${window.source}:${window.start}`);
    }
    expect(seen.size).toBe(xy.windowsPerPass);
  });

  it('xy sees X and Y in the same order as the runs on each alone, interleaved by the seed', () => {
    const order = (plan: StreamPlan, src: number) => plan.passOrder(0).filter((w) => w.source === src).map((w) => w.start);
    const xy = new StreamPlan(ds, [0, 1], cfg);
    expect(order(xy, 0)).toEqual(order(new StreamPlan(ds, [0], cfg), 0));
    expect(order(xy, 1)).toEqual(order(new StreamPlan(ds, [1], cfg), 1));
    const other = new StreamPlan(ds, [0, 1], { ...cfg, seed: cfg.seed + 1 });
    expect(other.passOrder(0)).not.toEqual(xy.passOrder(0));
    expect(new StreamPlan(ds, [0, 1], cfg).passOrder(0)).toEqual(xy.passOrder(0));
  });

  it('--passes P gives P passes in fresh orders; --steps N gives exactly N full steps', () => {
    const p2 = new StreamPlan(ds, [0], { ...cfg, passes: 2 });
    expect(p2.totalSteps).toBe(Math.ceil((2 * p2.windowsPerPass) / cfg.batchSize));
    expect(p2.passOrder(1)).not.toEqual(p2.passOrder(0));
    const last = p2.batch(p2.totalSteps - 1);
    expect(last[last.length - 1].pass).toBe(1);
    const n = new StreamPlan(ds, [0], { ...cfg, steps: 100 });
    expect(n.totalSteps).toBe(100);
    expect(n.batch(99).length).toBe(cfg.batchSize);
  });

  it('the ledger sends every training token exactly once, whatever the order', () => {
    const plan = new StreamPlan(ds, [0, 1], cfg);
    const ledger = new PrequentialLedger(ds, [0, 1]);
    const T = cfg.blockSize;
    let tokens = 0;
    let uniform = 0;
    for (let s = 0; s < plan.totalSteps; s++) {
      for (const { window } of plan.batch(s)) {
        const mask = new Float32Array(T);
        const c = ledger.claim(window, T, mask, 0);
        expect(c.tokens).toBe(c.uniformTokens + mask.reduce((a, b) => a + b, 0));
        tokens += c.tokens;
        uniform += c.uniformTokens;
      }
    }
    expect(tokens).toBe(ds.sources[0].train.length + ds.sources[1].train.length);
    expect(uniform).toBeGreaterThanOrEqual(2); // at least the first token of each source
  });
});
