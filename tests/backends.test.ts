// cpu, wasm and webgpu (Dawn in Node; SwiftShader where there is no GPU) train the same model from the
// same weights on the same batches: their first five losses must agree to 1e-4, relative.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { embedModeFor, selectBackend, type BackendName } from '../src/lib/backend.ts';
import { interleave, planExperiment, startRuns } from '../src/lib/harness.ts';
import { encode, tinyConfig, useBackend, webgpuAvailable } from './helpers.ts';

const cfg = tinyConfig({ vocabSize: 256, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, batchSize: 4, steps: 5, logEvery: 1, evalEvery: 5, evalWindows: 4 });
const text = encode('Colourless green ideas sleep furiously; the quick brown fox jumps over the lazy dog. '.repeat(8));

async function fiveLosses(backend: BackendName, c = cfg): Promise<number[]> {
  await useBackend(backend);
  expect(tf.getBackend()).toBe(backend);
  const exp = planExperiment({ cfg: c, x: text, embed: embedModeFor(backend) });
  const runs = startRuns(exp);
  const losses: number[] = [];
  for await (const ev of interleave(runs)) if (ev.type === 'log') losses.push(ev.lossBitsPerToken);
  for (const r of runs) r.dispose();
  return losses;
}

const reference: number[] = [];

/** Five losses, each within 1e-4 of cpu's: a backend that stops with an error event yields fewer, and fails here. */
function expectSameLosses(losses: number[]): void {
  expect(reference).toHaveLength(5);
  expect(losses).toHaveLength(reference.length);
  losses.forEach((l, i) => expect(Math.abs(l - reference[i]) / reference[i]).toBeLessThan(1e-4));
}

describe('backends agree', () => {
  it('cpu gives five finite losses', async () => {
    reference.push(...(await fiveLosses('cpu')));
    expect(reference.length).toBe(5);
    expect(reference.every(Number.isFinite)).toBe(true);
    expect(reference[4]).toBeLessThan(reference[0]); // it learns
  });

  it('wasm matches cpu to 1e-4', async () => {
    const losses = await fiveLosses('wasm');
    expectSameLosses(losses);
  });

  it('webgpu matches cpu to 1e-4', async (ctx) => {
    if (!(await webgpuAvailable())) return ctx.skip();
    const losses = await fiveLosses('webgpu');
    expectSameLosses(losses);
  });

  it('with dropout 0.1 (masks drawn on the CPU from the same seeds), wasm and webgpu match cpu to 1e-4', async () => {
    const withDropout = { ...cfg, dropout: 0.1 };
    const ref = await fiveLosses('cpu', withDropout);
    expect(ref).toHaveLength(5);
    expect(ref[0]).not.toBe(reference[0]); // dropout acted
    for (const backend of ['wasm', ...((await webgpuAvailable()) ? ['webgpu' as const] : [])] as BackendName[]) {
      const losses = await fiveLosses(backend, withDropout);
      expect(losses, backend).toHaveLength(5);
      losses.forEach((l, i) => expect(Math.abs(l - ref[i]) / ref[i], `${backend} step ${i + 1}`).toBeLessThan(1e-4));
    }
  });

  it("auto refuses a software WebGPU adapter and says so", async (ctx) => {
    if (!(await webgpuAvailable())) return ctx.skip();
    const adapter = await navigator.gpu.requestAdapter();
    const info = await selectBackend('auto');
    if (/swiftshader|llvmpipe/i.test(`${adapter!.info.vendor} ${adapter!.info.architecture} ${adapter!.info.description}`)) {
      expect(info.name).toBe('wasm');
      expect(info.note).toMatch(/software/);
    } else expect(info.name).toBe('webgpu');
  });
});

describe('backend changes', () => {
  it('two overlapping requests both get their backend (tfjs alone would fail the first)', async () => {
    const factory = tf.findBackendFactory('wasm')!;
    tf.removeBackend('wasm'); // so that both requests must initialise it again
    tf.registerBackend('wasm', factory, 2);
    const [a, b] = await Promise.all([selectBackend('wasm'), selectBackend('wasm')]);
    expect([a.name, b.name]).toEqual(['wasm', 'wasm']);
    expect(tf.getBackend()).toBe('wasm');
  });
});
