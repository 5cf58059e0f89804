// The z-loss is in training only: with it, a run's first step reports the same cross-entropy and codes the
// same bits as without (the loss before an update does not depend on the objective), and it then pulls
// log Z toward 0, which plain cross-entropy does not do.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { configFromJson, resolveConfig } from '../src/lib/config.ts';
import { planExperiment } from '../src/lib/harness.ts';
import { forward } from '../src/lib/model/gpt.ts';
import { Run, train } from '../src/lib/train/loop.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

const text = encode('the quick brown fox jumps over the lazy dog. '.repeat(60));

async function trainSteps(zLoss: number, steps: number): Promise<{ losses: number[]; meanAbsLogZ: number; codeBits: number }> {
  const cfg = tinyConfig({ zLoss, logEvery: 1, evalEvery: 1000, lr: 1e-2 });
  const exp = planExperiment({ cfg, x: text, runs: ['x'], embed: 'onehot' });
  const run = new Run({ ...exp.specs[0], init: exp.init });
  const losses: number[] = [];
  let codeBits = NaN;
  for await (const ev of train(run)) {
    if (ev.type === 'log') {
      losses.push(ev.lossBitsPerToken);
      if (ev.step === 1) codeBits = ev.prequential.X.bits;
    }
    if (losses.length >= steps) break;
  }
  await run.flush();
  // mean |log Z| over the first windows of the text, after training
  const T = cfg.blockSize;
  const idx = tf.tensor2d(Array.from(text.subarray(0, 8 * T)), [8, T], 'int32');
  const lse = tf.tidy(() => tf.mean(tf.abs(tf.logSumExp(forward(run.params, cfg, idx, { embed: 'onehot' }), -1))));
  const meanAbsLogZ = (await lse.data())[0];
  tf.dispose([idx, lse]);
  run.dispose();
  return { losses, meanAbsLogZ, codeBits };
}

describe('z-loss', () => {
  it('leaves the first step’s loss and code unchanged, then pulls log Z toward 0', async () => {
    const plain = await trainSteps(0, 30);
    const z = await trainSteps(0.2, 30);
    expect(z.losses[0]).toBeCloseTo(plain.losses[0], 5); // the same cross-entropy: the shown loss excludes the z term
    expect(z.codeBits).toBeCloseTo(plain.codeBits, 3);
    expect(Math.abs(z.losses[29] - plain.losses[29])).toBeGreaterThan(1e-4); // the updates differ
    // at initialisation log Z = ln 256 ≈ 5.5 (all logits near 0); cross-entropy alone barely moves it
    expect(plain.meanAbsLogZ).toBeGreaterThan(4);
    expect(plain.meanAbsLogZ - z.meanAbsLogZ, `mean |log Z| ${plain.meanAbsLogZ} without, ${z.meanAbsLogZ} with`).toBeGreaterThan(1);
  });

  it('is in the presets, and a config saved before it existed (a .kxy header, a stored experiment) reads back without it', () => {
    const nano = resolveConfig('nano');
    expect(nano.zLoss).toBe(1e-4);
    const { zLoss: _dropped, ...older } = nano; // as written before the knob existed
    expect(configFromJson(older).zLoss).toBe(0); // so a file coded without it decodes with the same training
    expect(configFromJson(nano).zLoss).toBe(1e-4);
  });
});
