// Threaded wasm in Node (src/cli/node-wasm-threads.ts): tfjs's threaded-SIMD build on worker_threads gets 2
// threads, and trains the same five losses as cpu (1e-4, relative), and as the single-threaded kernels do.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { expect, it } from 'vitest';
import { installNodeWasmThreads } from '../src/cli/node-wasm-threads.ts';
import { embedModeFor, selectBackend, type BackendName } from '../src/lib/backend.ts';
import { interleave, planExperiment, startRuns } from '../src/lib/harness.ts';
import { encode, tinyConfig } from './helpers.ts';

const cfg = tinyConfig({ vocabSize: 256, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, batchSize: 4, steps: 5, logEvery: 1, evalEvery: 5, evalWindows: 4 });
const text = encode('Colourless green ideas sleep furiously; the quick brown fox jumps over the lazy dog. '.repeat(8));

async function fiveLosses(backend: BackendName): Promise<number[]> {
  await selectBackend(backend);
  const runs = startRuns(planExperiment({ cfg, x: text, embed: embedModeFor(backend) }));
  const losses: number[] = [];
  for await (const ev of interleave(runs)) if (ev.type === 'log') losses.push(ev.lossBitsPerToken);
  for (const r of runs) r.dispose();
  return losses;
}

it('runs tfjs-wasm on 2 threads in Node, with the losses cpu trains', async () => {
  const reference = await fiveLosses('cpu');
  expect(installNodeWasmThreads(2)).toBe(true);
  const info = await selectBackend('wasm');
  expect(info.threads).toBe(2);
  expect(getThreadsCount()).toBe(2);
  expect(info.note).toMatch(/threaded SIMD on 2 threads/);
  const losses = await fiveLosses('wasm');
  expect(losses).toHaveLength(5);
  losses.forEach((l, i) => expect(Math.abs(l - reference[i]) / reference[i]).toBeLessThan(1e-4));
  expect(tf.getBackend()).toBe('wasm');
  expect(installNodeWasmThreads(2)).toBe(false); // once started, the backend stays as it is
});
