// The duration probe (before Train): it trains the config's own shapes for a few steps, leaves no tensor
// behind, and its validation scores the configured number of windows.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { embedModeFor } from '../src/lib/backend.ts';
import { probeSteps } from '../src/worker/probe.ts';
import { tinyConfig, useBackend } from './helpers.ts';

describe('the duration probe', () => {
  it('times steps and a validation on cpu, and frees everything it made', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    for (const cfg of [tinyConfig(), tinyConfig({ replay: 2, evalWindows: 5, batchSize: 3 })]) {
      const t = await probeSteps({ ...cfg }, 3, embedModeFor('cpu'));
      for (const v of [t.firstStepSeconds, t.secondsPerStep, t.secondsPerEval]) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThan(0);
      }
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
