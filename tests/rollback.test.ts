// Divergence recovery: a run whose weights turn to NaN mid-training rolls back to its last good state with
// half the learning rate, codes every window exactly once, and finishes; one that keeps diverging gives up.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { planExperiment } from '../src/lib/harness.ts';
import { GOOD_EVERY, MAX_ROLLBACKS, Run, train, type TrainEvent } from '../src/lib/train/loop.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

const text = encode('the quick brown fox jumps over the lazy dog. '.repeat(120));

function runOf(o: Parameters<typeof tinyConfig>[0]): Run {
  const exp = planExperiment({ cfg: tinyConfig({ logEvery: 5, evalEvery: 1000, ...o }), x: text, runs: ['x'], embed: 'onehot' });
  return new Run({ ...exp.specs[0], init: exp.init });
}

describe('divergence', () => {
  it('rolls back once from NaN weights, then codes every window exactly once and finishes', async () => {
    const run = runOf({ passes: 1 });
    expect(run.totalSteps).toBeGreaterThan(GOOD_EVERY + 10);
    const events: TrainEvent[] = [];
    let poisoned = false;
    for await (const ev of train(run)) {
      events.push(ev);
      // fault injection: after the first good state past step 0, poison one weight matrix
      if (!poisoned && ev.type === 'step' && ev.step === GOOD_EVERY + 7) {
        const w = run.params['transformer.h.0.attn.c_attn.weight'];
        w.assign(tf.fill(w.shape, NaN));
        poisoned = true;
      }
    }
    const rollbacks = events.filter((e) => e.type === 'rollback');
    expect(rollbacks).toHaveLength(1);
    const rb = rollbacks[0].type === 'rollback' ? rollbacks[0].rollback : null;
    expect(rb!.toStep).toBe(GOOD_EVERY);
    expect(rb!.discardedBits).toBeGreaterThan(0); // windows of steps 51–57 were coded, dropped, and coded again
    expect(rb!.lrScale).toBe(0.5);
    expect(events.some((e) => e.type === 'error')).toBe(false);
    expect(events.at(-1)!.type).toBe('done');
    expect(run.step).toBe(run.totalSteps);
    // every window coded once, at a finite cost: the dropped ones were coded again
    const t = run.trace.X;
    expect(t.bits.length).toBe(run.plan.windowsPerPass);
    expect(t.bits.every(Number.isFinite)).toBe(true);
    expect(run.prequential.X.tokens).toBe(run.dataset.sources[0].train.length);
    expect(Math.abs(run.prequential.X.bits - t.bits.reduce((a, b) => a + b, 0))).toBeLessThan(1e-6 * run.prequential.X.bits);
    run.dispose();
  });

  it(`gives up with a clear message after ${MAX_ROLLBACKS} rollbacks`, async () => {
    const run = runOf({ steps: 40, lr: 1e6, minLr: 1e5, warmupSteps: 0, gradClip: 0 });
    const events: TrainEvent[] = [];
    for await (const ev of train(run)) events.push(ev);
    expect(events.filter((e) => e.type === 'rollback')).toHaveLength(MAX_ROLLBACKS);
    const err = events.at(-1)!;
    expect(err.type).toBe('error');
    expect(err.type === 'error' && err.message).toMatch(/diverged, after 3 rollbacks down to 0.125× the learning rate; lower the learning rate/);
    run.dispose();
  });
});
