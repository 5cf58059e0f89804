// Training against sources whose entropy is known exactly. A model must approach the entropy from
// above on held-out data; it may never beat the true distribution by more than noise.
import { beforeAll, describe, expect, it } from 'vitest';
import { iidUniform, stickyMarkov, stickyMarkovBits, stickyMarkovEntropy } from '../datasets/synthetic.ts';
import { interleave, planExperiment, startRuns } from '../src/lib/harness.ts';
import { evalSet } from '../src/lib/train/loop.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('wasm'));

async function trainOn(text: string, o: Parameters<typeof tinyConfig>[0]) {
  const cfg = tinyConfig({ tokenizer: 'char', blockSize: 32, nEmbd: 32, batchSize: 16, evalWindows: 10_000, evalEvery: 1000, lr: 3e-3, ...o });
  const exp = planExperiment({ cfg, x: encode(text), embed: 'onehot' });
  const [run] = startRuns(exp);
  for await (const ev of interleave([run])) if (ev.type === 'error') throw new Error(ev.message);
  const val = run.lastVal!.X;
  const prequential = run.prequential.X;
  run.dispose();
  return { exp, val, prequential };
}

describe('known entropies', () => {
  it('iid uniform over 16 symbols: 4.000 bits per token, within 3% and never below 3.99', async () => {
    const { exp, val } = await trainOn(iidUniform(40_000, 16, 1), {});
    expect(exp.cfg.vocabSize).toBe(16);
    expect(val.bitsPerToken).toBeGreaterThanOrEqual(3.99);
    expect(Math.abs(val.bitsPerToken - 4) / 4).toBeLessThan(0.03);
  });

  it('sticky Markov chain (k = 4, stay 0.9): within 10% of 0.6275 bits per token, not below the true code on the same windows', async () => {
    const H = stickyMarkovEntropy(4, 0.9);
    expect(H).toBeCloseTo(0.6275, 4);
    const text = stickyMarkov(60_000, 4, 0.9, 2);
    const { exp, val, prequential } = await trainOn(text, {});
    // the exact code length of the very targets scored, under the true chain
    const es = evalSet(exp.dataset, 0, exp.cfg);
    const v = exp.dataset.sources[0].val;
    const chars = exp.dataset.tokenizer.decode(v);
    let bits = 0;
    for (const w of es.windows) for (let j = 1; j <= exp.cfg.blockSize; j++) bits += stickyMarkovBits(chars[w.start + j - 1], chars[w.start + j], 4, 0.9);
    const truth = bits / es.tokens;
    expect(Math.abs(truth - H)).toBeLessThan(0.05); // the sample is typical
    expect(val.bitsPerToken).toBeGreaterThanOrEqual(truth - 0.005);
    expect(val.bitsPerToken).toBeLessThanOrEqual(1.1 * H);
    // the prequential code pays for learning: above the entropy, below the 2 bits of knowing nothing
    expect(prequential.bits / prequential.tokens).toBeGreaterThan(H);
    expect(prequential.bits / prequential.tokens).toBeLessThan(1.0);
  });
});
