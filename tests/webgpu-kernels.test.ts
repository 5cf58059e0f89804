// kxy's fused WGSL kernels (src/lib/model/webgpu) against the cpu backend's ops: for each layer, the value
// and the gradients of Σ out · r (r random) on the same inputs, to 1e-4 relative. Tiny shapes: SwiftShader.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as ops from '../src/lib/model/ops.ts';
import { settings as gpuSettings } from '../src/lib/model/webgpu/layers.ts';
import { AdamW } from '../src/lib/train/adamw.ts';
import { Rng } from '../src/lib/rng.ts';
import { embedModeFor } from '../src/lib/backend.ts';
import { planExperiment, startRuns } from '../src/lib/harness.ts';
import { encode, tinyConfig, useBackend, webgpuAvailable } from './helpers.ts';

const rng = new Rng(11);
const normal = (n: number, scale = 1) => Float32Array.from({ length: n }, () => scale * rng.normal());

interface Case {
  name: string;
  inputs: { shape: number[]; data: Float32Array | Int32Array; grad: boolean }[];
  f: (...xs: tf.Tensor[]) => tf.Tensor;
}

const [B, T, nh, C, V] = [2, 8, 2, 16, 32];
const N = B * T;
const ints = (n: number, k: number) => Int32Array.from({ length: n }, () => rng.int(k));
const x = () => ({ shape: [N, C], data: normal(N * C), grad: true });
const cases: Case[] = [
  { name: 'layerNorm', inputs: [x(), { shape: [C], data: normal(C), grad: true }, { shape: [C], data: normal(C), grad: true }], f: (x, w, b) => ops.layerNorm(x, w, b) },
  { name: 'gelu', inputs: [{ shape: [N, 4 * C], data: normal(N * 4 * C, 2), grad: true }], f: (x) => ops.gelu(x) },
  { name: 'linear (column-sum bias gradient)', inputs: [x(), { shape: [3 * C, C], data: normal(3 * C * C, 0.3), grad: true }, { shape: [3 * C], data: normal(3 * C), grad: true }], f: (x, w, b) => ops.linear(x as tf.Tensor2D, w, b) },
  { name: 'matmul, odd shapes, both transposed', inputs: [{ shape: [5, 7], data: normal(35), grad: true }, { shape: [9, 5], data: normal(45), grad: true }], f: (a, b) => ops.matmul(a, b, true, true) },
  { name: 'matmul, odd shapes', inputs: [{ shape: [7, 5], data: normal(35), grad: true }, { shape: [5, 9], data: normal(45), grad: true }], f: (a, b) => ops.matmul(a, b) },
  {
    name: 'crossEntropy',
    inputs: [{ shape: [N, V], data: normal(N * V, 3), grad: true }, { shape: [N], data: ints(N, V), grad: false }],
    f: (l, t) => ops.crossEntropy(l as tf.Tensor2D, t as tf.Tensor1D),
  },
  { name: 'zLoss', inputs: [{ shape: [N, V], data: normal(N * V, 3), grad: true }], f: (l) => ops.zLoss(l as tf.Tensor2D, 0.3) },
  {
    name: 'layerNormSkip + linearAdd (residual add in the matmul, its gradient in LayerNorm\'s backward)',
    inputs: [x(), { shape: [C], data: normal(C), grad: true }, { shape: [C], data: normal(C), grad: true }, { shape: [C, C], data: normal(C * C, 0.3), grad: true }, { shape: [C], data: normal(C), grad: true }],
    f: (x, w, b, pw, pb) => {
      const [a, skip] = ops.layerNormSkip(x as tf.Tensor2D, w, b);
      return ops.linearAdd(skip, a, pw, pb);
    },
  },
  {
    name: 'layerNormSkip + mlpAdd (GELU\'s backward in a matmul)',
    inputs: [x(), { shape: [C], data: normal(C), grad: true }, { shape: [C], data: normal(C), grad: true }, { shape: [4 * C, C], data: normal(4 * C * C, 0.5), grad: true }, { shape: [4 * C], data: normal(4 * C), grad: true }, { shape: [C, 4 * C], data: normal(4 * C * C, 0.3), grad: true }, { shape: [C], data: normal(C), grad: true }],
    f: (x, w, b, wfc, bfc, wproj, bproj) => {
      const [a, skip] = ops.layerNormSkip(x as tf.Tensor2D, w, b);
      return ops.mlpAdd(skip, a, wfc, bfc, wproj, bproj);
    },
  },
  {
    name: 'layerNormSkip + mlpAdd, GELU in the c_fc matmul (its input recomputed in the backward)',
    inputs: [x(), { shape: [C], data: normal(C), grad: true }, { shape: [C], data: normal(C), grad: true }, { shape: [4 * C, C], data: normal(4 * C * C, 0.5), grad: true }, { shape: [4 * C], data: normal(4 * C), grad: true }, { shape: [C, 4 * C], data: normal(4 * C * C, 0.3), grad: true }, { shape: [C], data: normal(C), grad: true }],
    f: (x, w, b, wfc, bfc, wproj, bproj) => {
      const [a, skip] = ops.layerNormSkip(x as tf.Tensor2D, w, b);
      gpuSettings.geluInMatMul = true; // read when the op runs; its gradient is fixed then
      try {
        return ops.mlpAdd(skip, a, wfc, bfc, wproj, bproj);
      } finally {
        gpuSettings.geluInMatMul = false;
      }
    },
  },
  {
    // wpe has more rows than T (the unused ones get a zero gradient); the tied head's gradient joins the lookup's
    name: 'embed + tied head',
    inputs: [{ shape: [V, C], data: normal(V * C), grad: true }, { shape: [T + 3, C], data: normal((T + 3) * C), grad: true }, { shape: [N], data: ints(N, V), grad: false }],
    f: (wte, wpe, idx) => {
      const [x0, head] = ops.embed(wte, wpe, idx as tf.Tensor1D, B, T, false);
      return tf.concat([x0, ops.matmul(x0, head, false, true)], 1);
    },
  },
  { name: 'meanAll (a fill kernel as its gradient)', inputs: [{ shape: [B, T], data: normal(N), grad: true }], f: (x) => ops.meanAll(x) },
  { name: 'maskedRowSum', inputs: [{ shape: [B, T], data: normal(N), grad: false }, { shape: [B, T], data: Float32Array.from(ints(N, 2)), grad: false }], f: (x, m) => ops.maskedRowSum(x as tf.Tensor2D, m as tf.Tensor2D) },
  {
    name: 'attention',
    inputs: [x(), { shape: [3 * C, C], data: normal(3 * C * C, 0.5), grad: true }, { shape: [3 * C], data: normal(3 * C, 0.5), grad: true }],
    f: (x, w, b) => ops.attention(x as tf.Tensor2D, w, b, B, T, nh, null),
  },
];

/** Value and gradients of Σ f(xs) · r, as arrays. */
async function evaluate(c: Case, r: Float32Array): Promise<Float32Array[]> {
  const outs = tf.tidy(() => {
    const xs = c.inputs.map((i) => tf.tensor(i.data, i.shape, i.data instanceof Int32Array ? 'int32' : 'float32'));
    const value = c.f(...xs);
    const rt = tf.tensor(r, value.shape);
    const gradIdx = c.inputs.flatMap((i, j) => (i.grad ? [j] : []));
    const grads = gradIdx.length === 0 ? [] : tf.grads((...g: tf.Tensor[]) => tf.sum(tf.mul(c.f(...xs.map((t, j) => (gradIdx.includes(j) ? g[gradIdx.indexOf(j)] : t))), rt)))(gradIdx.map((j) => xs[j]));
    return [value, ...grads];
  });
  const arrays = await Promise.all(outs.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(outs);
  return arrays;
}

function relErr(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let [err, scale] = [0, 0];
  for (let i = 0; i < a.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
}

describe('fused WebGPU kernels match the cpu backend', () => {
  it('each layer: value and gradients to 1e-4', async (ctx) => {
    if (!(await webgpuAvailable())) return ctx.skip();
    const rs: Float32Array[] = [];
    const ref: Float32Array[][] = [];
    await useBackend('cpu');
    for (const c of cases) {
      const out = tf.tidy(() => c.f(...c.inputs.map((i) => tf.tensor(i.data, i.shape, i.data instanceof Int32Array ? 'int32' : 'float32'))));
      rs.push(normal(out.size));
      out.dispose();
      ref.push(await evaluate(c, rs[rs.length - 1]));
    }
    await useBackend('webgpu');
    for (const [i, c] of cases.entries()) {
      const got = await evaluate(c, rs[i]);
      got.forEach((g, j) => expect(relErr(g, ref[i][j]), `${c.name}: ${j === 0 ? 'value' : `gradient ${j}`}`).toBeLessThan(1e-4));
    }
  });

  it('AdamW: three clipped steps give the same parameters, moments and norms', async (ctx) => {
    if (!(await webgpuAvailable())) return ctx.skip();
    const shapes: Record<string, number[]> = { 'a.weight': [6, 5], 'a.bias': [6], 'b.weight': [3, 7] };
    const init = Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, normal(s[0] * (s[1] ?? 1))]));
    const grads = [0, 1, 2].map(() => Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, normal(s[0] * (s[1] ?? 1), 2)])));
    async function threeSteps(): Promise<Float32Array[]> {
      const params = Object.fromEntries(Object.entries(shapes).map(([n, s]) => [n, tf.variable(tf.tensor(init[n], s), true, `${n}-${tf.getBackend()}`)]));
      const opt = new AdamW(params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
      const norms: number[] = [];
      for (const [i, g] of grads.entries()) {
        const gt = Object.fromEntries(Object.entries(g).map(([n, d]) => [n, tf.tensor(d, shapes[n])]));
        const norm = opt.step(gt, 0.01 * (i + 1));
        norms.push((await norm.data())[0]);
        tf.dispose([norm, ...Object.values(gt)]);
      }
      const state = await opt.state();
      const out = [Float32Array.from(norms), ...(await Promise.all(Object.values(params).map(async (p) => (await p.data()) as Float32Array))), ...Object.values(state.m), ...Object.values(state.v)];
      opt.dispose();
      tf.dispose(Object.values(params));
      return out;
    }
    await useBackend('cpu');
    const ref = await threeSteps();
    await useBackend('webgpu');
    const got = await threeSteps();
    got.forEach((g, j) => expect(relErr(g, ref[j]), `output ${j}`).toBeLessThan(1e-4));
    expect(ref[0][0]).toBeGreaterThan(1); // the clip acted
  });

  it('a training step reads nothing back from the GPU; flush reads once', async (ctx) => {
    if (!(await webgpuAvailable())) return ctx.skip();
    await useBackend('webgpu');
    const cfg = tinyConfig({ steps: 4, logEvery: 4, evalEvery: 4 });
    const [run] = startRuns(planExperiment({ cfg, x: encode('the quick brown fox jumps over the lazy dog. '.repeat(20)), embed: embedModeFor('webgpu') }));
    const be = tf.backend() as unknown as { read: (...a: unknown[]) => unknown; readSync: (...a: unknown[]) => unknown };
    const [read, readSync] = [be.read, be.readSync];
    let reads = 0;
    be.read = function (...a: unknown[]) { reads++; return read.apply(this, a); };
    be.readSync = function (...a: unknown[]) { reads++; return readSync.apply(this, a); };
    try {
      run.trainStep();
      run.trainStep();
      expect(reads).toBe(0);
      await run.flush();
      expect(reads).toBe(1);
    } finally {
      Object.assign(be, { read, readSync }); // the backend's own methods again
      run.dispose();
    }
  });
});
