// Each op of src/lib/model/ops.ts against autodiff of its plain formula, values and gradients, on cpu, wasm
// and (where there is an adapter) webgpu: the hand-written gradients and wasm's batched matmul are the same
// functions as the textbook ones, to 1e-4 relative.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { BackendName } from '../src/lib/backend.ts';
import * as ops from '../src/lib/model/ops.ts';
import { Rng } from '../src/lib/rng.ts';
import { useBackend, webgpuAvailable } from './helpers.ts';

const rng = new Rng(7);
const randn = (shape: number[], scale = 1) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal()), shape);
const randint = (n: number, k: number) => tf.tensor1d(Array.from({ length: n }, () => rng.int(k)), 'int32');

/** max |a − b| / max |b|: the normwise relative error, one number per tensor. */
async function relErr(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const [x, y] = [await a.data(), await b.data()];
  expect(x.length).toBe(y.length);
  let [err, scale] = [0, 0];
  for (let i = 0; i < x.length; i++) {
    err = Math.max(err, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(y[i]));
  }
  return err / scale;
}

/** Compares f and its reference g on inputs xs: values, and gradients of Σ out · r for a random r. */
async function agree(f: (...xs: tf.Tensor[]) => tf.Tensor, g: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], tol = 1e-4): Promise<void> {
  const r = tf.tidy(() => randn(g(...xs).shape));
  const lossOf = (h: (...xs: tf.Tensor[]) => tf.Tensor) => (...a: tf.Tensor[]) => tf.sum(tf.mul(h(...a), r));
  const [vf, vg] = [f(...xs), g(...xs)];
  expect(await relErr(vf, vg), 'value').toBeLessThan(tol);
  const gf = tf.grads(lossOf(f))(xs);
  const gg = tf.grads(lossOf(g))(xs);
  for (let i = 0; i < xs.length; i++) expect(await relErr(gf[i], gg[i]), `gradient of input ${i}`).toBeLessThan(tol);
  tf.dispose([r, vf, vg, ...gf, ...gg]);
}

// ---- the plain formulas --------------------------------------------------------------------------
const plainLinear = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.add(tf.matMul(x, w, false, true), b);
function plainLayerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), w), b);
}
function plainGelu(x: tf.Tensor) {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}
function plainAttention(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, B: number, T: number, nh: number) {
  const C = x.shape[1]!;
  const hs = C / nh;
  const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, nh, hs]), [0, 2, 1, 3]);
  const [q, k, v] = tf.split(plainLinear(x, w, b), 3, 1).map(heads);
  const mask = tf.tensor2d(Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)), [T, T]);
  const att = tf.softmax(tf.add(tf.div(tf.matMul(q, k, false, true), Math.sqrt(hs)), mask));
  return tf.reshape(tf.transpose(tf.matMul(att, v), [0, 2, 1, 3]), [B * T, C]);
}

const backends: BackendName[] = ['cpu', 'wasm', 'webgpu'];

describe.each(backends)('ops on %s', (backend) => {
  const ready = async (ctx: { skip: () => void }) => {
    if (backend === 'webgpu' && !(await webgpuAvailable())) return ctx.skip();
    await useBackend(backend);
  };

  it('linear, with and without bias', async (ctx) => {
    await ready(ctx);
    const [x, w, b] = [randn([12, 8]), randn([20, 8]), randn([20])];
    await agree((x, w, b) => ops.linear(x as tf.Tensor2D, w, b), plainLinear, [x, w, b]);
    await agree((x, w) => ops.linear(x as tf.Tensor2D, w, null), (x, w) => tf.matMul(x, w, false, true), [x, randn([5, 8])]);
  });

  it('layerNorm', async (ctx) => {
    await ready(ctx);
    await agree(ops.layerNorm, plainLayerNorm, [randn([10, 16], 3), randn([16]), randn([16])]);
  });

  it('gelu (x · sigmoid(2z)) equals the tanh form', async (ctx) => {
    await ready(ctx);
    await agree(ops.gelu, plainGelu, [randn([7, 9], 3)]);
  });

  it('crossEntropy equals −logSoftmax at the target', async (ctx) => {
    await ready(ctx);
    const t = randint(12, 30);
    const plain = (l: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(l), tf.cast(tf.oneHot(t, 30), 'float32')), -1));
    await agree((l) => ops.crossEntropy(l as tf.Tensor2D, t), plain, [randn([12, 30], 4)]);
  });

  it('zLoss equals z · logSumExp², with its own gradient', async (ctx) => {
    await ready(ctx);
    // logits of scale 4 around an offset of 5: log Z is far from 0, so the z · lse² term and its gradient are large
    await agree((l) => ops.zLoss(l as tf.Tensor2D, 0.3), (l) => tf.mul(0.3, tf.square(tf.logSumExp(l, -1))), [tf.add(randn([12, 30], 4), 5)]);
  });

  it('embedding, and its one-hot gradient', async (ctx) => {
    await ready(ctx);
    const idx = randint(14, 9);
    const plain = (w: tf.Tensor) => tf.matMul(tf.cast(tf.oneHot(idx, 9), 'float32'), w);
    await agree((w) => ops.embedding(w, idx, true), plain, [randn([9, 6])]);
    if (backend !== 'wasm') await agree((w) => ops.embedding(w, idx, false), plain, [randn([9, 6])]);
  });

  it('causal attention up to the heads merge', async (ctx) => {
    await ready(ctx);
    const [B, T, nh, C] = [3, 5, 2, 8];
    await agree(
      (x, w, b) => ops.attention(x as tf.Tensor2D, w, b, B, T, nh, null),
      (x, w, b) => plainAttention(x, w, b, B, T, nh),
      [randn([B * T, C]), randn([3 * C, C], 0.5), randn([3 * C], 0.5)],
    );
  });

  it('matmul with every transpose flag, batched and broadcast', async (ctx) => {
    await ready(ctx);
    const a = randn([2, 3, 4, 5]);
    const b = randn([2, 3, 5, 6]);
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const A = ta ? ops.swapLast(a) : a;
      const Bt = tb ? ops.swapLast(b) : b;
      expect(await relErr(ops.matmul(A, Bt, ta, tb), tf.matMul(a, b))).toBeLessThan(1e-5);
    }
    const [a1, b6] = [randn([1, 4, 5]), randn([6, 5, 6])]; // a shared across the batch
    expect(await relErr(ops.matmul(a1, b6), tf.matMul(tf.tile(a1, [6, 1, 1]), b6))).toBeLessThan(1e-5);
  });
});
