// The prequential code against an independent recomputation: before each step, score that step's
// windows with the current weights in float64 JavaScript, keeping our own record of what was sent.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { planExperiment, startRuns } from '../src/lib/harness.ts';
import { forward } from '../src/lib/model/gpt.ts';
import { train, type Run } from '../src/lib/train/loop.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

/** −log2 p(target) for each position of one window, from logits read back and normalised in float64. */
function windowBits(run: Run, source: number, start: number): number[] {
  const T = run.cfg.blockSize;
  const toks = run.dataset.sources[source].train;
  const logits = tf.tidy(() => forward(run.params, run.cfg, tf.tensor2d(Array.from(toks.subarray(start, start + T)), [1, T], 'int32')).arraySync()[0]);
  return logits.map((row, j) => {
    const max = Math.max(...row);
    const logZ = max + Math.log(row.reduce((a, l) => a + Math.exp(l - max), 0));
    return -(row[toks[start + j + 1]] - logZ) / Math.LN2;
  });
}

describe('prequential code length', () => {
  it.each([0, 2])('equals −log2 p of every token of the stream, each scored once before the update that trains on it (replay %i)', async (replay) => {
    const cfg = tinyConfig({ blockSize: 8, batchSize: 3, passes: 2, replay, lr: 1e-2, logEvery: 4, evalEvery: 100 });
    const exp = planExperiment({
      cfg,
      x: encode('abracadabra, said the magician. '.repeat(12)),
      y: encode('the rain in spain stays mainly in the plain. '.repeat(9)),
      runs: ['xy'],
      embed: 'onehot',
    });
    const [run] = startRuns(exp);
    const T = cfg.blockSize;
    const log2V = Math.log2(exp.dataset.tokenizer.vocabSize);
    const sent = exp.dataset.sources.map((s) => new Set<number>());
    const want = [0, 0];
    const wantTrace: number[][] = [[], []]; // bits of each window, in the order the stream coded it
    let scoredSteps = 0;
    const gen = train(run);
    while (run.step < run.totalSteps) {
      for (const { window, pass } of run.plan.batch(run.step)) {
        if (pass !== 0) continue;
        const bits = windowBits(run, window.source, window.start);
        const s = sent[window.source];
        let w = 0;
        if (!s.has(window.start)) {
          s.add(window.start);
          w += log2V; // no context: a uniform code
        }
        for (let j = 1; j <= T; j++) {
          if (s.has(window.start + j)) continue;
          s.add(window.start + j);
          w += bits[j - 1];
        }
        want[window.source] += w;
        wantTrace[window.source].push(w);
        scoredSteps++;
      }
      // advance exactly one optimizer step
      for (let r = await gen.next(); !r.done && r.value.type !== 'step'; r = await gen.next());
    }
    for (let r = await gen.next(); !r.done; r = await gen.next());
    expect(scoredSteps).toBeGreaterThan(0);
    exp.dataset.sources.forEach((src, i) => {
      const got = run.prequential[src.name];
      expect(sent[i].size).toBe(src.train.length); // every token of the stream, once
      expect(got.tokens).toBe(src.train.length);
      expect(got.bytes).toBe(src.train.length);
      expect(Math.abs(got.bits - want[i]) / want[i]).toBeLessThan(1e-5);
      const trace = run.trace[src.name];
      expect(trace.bits.length).toBe(wantTrace[i].length);
      trace.bits.forEach((b, k) => expect(Math.abs(b - wantTrace[i][k])).toBeLessThan(1e-3));
    });
    run.dispose();
  });
});
