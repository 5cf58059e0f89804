// No tensor outlives its step: the count is the same after step 10 and step 110, on cpu and wasm.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { embedModeFor, type BackendName } from '../src/lib/backend.ts';
import { interleave, planExperiment, startRuns } from '../src/lib/harness.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

describe('memory', () => {
  for (const backend of ['cpu', 'wasm'] as BackendName[]) {
    it(`tf.memory() is flat from step 10 to step 110 on ${backend}`, async () => {
      await useBackend(backend);
      const cfg = tinyConfig({ steps: 120, logEvery: 10, evalEvery: 50 });
      const text = 'It was the best of times, it was the worst of times. '.repeat(20);
      const exp = planExperiment({ cfg, x: encode(text), y: encode(text.toUpperCase()), embed: embedModeFor(backend) });
      const runs = startRuns(exp);
      const seen: Record<number, { tensors: number; buffers: number }> = {};
      for await (const ev of interleave(runs)) {
        if (ev.type !== 'log' || ev.run !== 'xy' || (ev.step !== 10 && ev.step !== 110)) continue;
        for (const r of runs) await r.flush(); // the other runs may hold a step's outputs until their next sync
        seen[ev.step] = { tensors: tf.memory().numTensors, buffers: tf.memory().numDataBuffers };
      }
      expect(seen[10]).toBeDefined();
      expect(seen[110]).toEqual(seen[10]);
      for (const r of runs) r.dispose();
      expect(tf.memory().numTensors).toBe(0);
    });
  }
});
