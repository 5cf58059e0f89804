// kxy's forward pass against PyTorch: tests/fixtures/forward.json holds the logits and loss that an
// independent twin of the model (bench/reference/torch_twin.py, float64) computed for a tiny seeded model,
// whose weights the fixture also holds. Agreement to 1e-5 pins the attention scale, LayerNorm's epsilon,
// the residuals, the GELU and the tied head, which learning-based tests would not notice. Four AdamW steps on
// the same batch, whose gradients clip, pin the optimizer (decay, clipping, bias correction, schedule) too.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { importModel } from '../src/lib/io/safetensors.ts';
import { createParams, disposeParams, forward, tokenNll } from '../src/lib/model/gpt.ts';
import { AdamW, learningRate } from '../src/lib/train/adamw.ts';
import { useBackend } from './helpers.ts';

interface Fixture {
  config: { vocabSize: number; blockSize: number; nLayer: number; nHead: number; nEmbd: number };
  idx: number[][];
  targets: number[][];
  loss_nats: number;
  logits: number[][][];
  adamw: { steps: number; lr: number; minLr: number; warmupSteps: number; beta1: number; beta2: number; eps: number; weightDecay: number; gradClip: number; losses_nats: number[]; grad_norms: number[] };
  weights_safetensors_base64: string;
}

const fx = JSON.parse(readFileSync(new URL('./fixtures/forward.json', import.meta.url), 'utf8')) as Fixture;

beforeAll(() => useBackend('cpu'));

describe('forward pass against the PyTorch twin', () => {
  it('gives the twin’s logits and loss to 1e-5', async () => {
    const model = importModel(new Uint8Array(Buffer.from(fx.weights_safetensors_base64, 'base64')));
    expect(model.cfg).toMatchObject(fx.config);
    const params = createParams(model.cfg, model.weights);
    const B = fx.idx.length;
    const T = fx.idx[0].length;
    const logits = forward(params, model.cfg, tf.tensor2d(fx.idx, [B, T], 'int32'));
    const loss = tf.mean(tokenNll(logits, tf.tensor2d(fx.targets, [B, T], 'int32')));
    const got = (await logits.array()) as number[][][];
    const want = fx.logits;
    expect([got.length, got[0].length, got[0][0].length]).toEqual([B, T, model.cfg.vocabSize]);
    let worst = 0;
    got.forEach((row, b) => row.forEach((l, t) => l.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - want[b][t][k]))))));
    expect(worst).toBeLessThan(1e-5);
    expect(Math.abs((await loss.data())[0] - fx.loss_nats)).toBeLessThan(1e-5);
    // the fixture is not trivial: its logits differ across positions by far more than the tolerance
    const spread = Math.max(...want.flat(2)) - Math.min(...want.flat(2));
    expect(spread).toBeGreaterThan(0.1);
    disposeParams(params);
    tf.dispose([logits, loss]);
  });

  it('takes the twin’s AdamW steps: the same losses and gradient norms, to 1e-5', async () => {
    const model = importModel(new Uint8Array(Buffer.from(fx.weights_safetensors_base64, 'base64')));
    const params = createParams(model.cfg, model.weights);
    const a = fx.adamw;
    const opt = new AdamW(params, a);
    const B = fx.idx.length;
    const T = fx.idx[0].length;
    const x = tf.tensor2d(fx.idx, [B, T], 'int32');
    const y = tf.tensor2d(fx.targets, [B, T], 'int32');
    const lossOf = () => tf.mean(tokenNll(forward(params, model.cfg, x), y)) as tf.Scalar;
    const losses: number[] = [];
    const norms: number[] = [];
    for (let s = 0; s < a.steps; s++) {
      const { value, grads } = tf.variableGrads(lossOf, Object.values(params));
      const norm = opt.step(Object.fromEntries(Object.entries(params).map(([n, v]) => [n, grads[v.name]])), learningRate(s, a.steps, a));
      losses.push((await value.data())[0]);
      norms.push((await norm.data())[0]);
      tf.dispose([value, norm, ...Object.values(grads)]);
    }
    const last = lossOf();
    losses.push((await last.data())[0]);
    expect(norms.every((n) => n > a.gradClip)).toBe(true); // every step is clipped
    losses.forEach((l, i) => expect(Math.abs(l - a.losses_nats[i]), `loss ${i}`).toBeLessThan(1e-5));
    norms.forEach((n, i) => expect(Math.abs(n - a.grad_norms[i]), `norm ${i}`).toBeLessThan(1e-5));
    disposeParams(params);
    opt.dispose();
    tf.dispose([x, y, last]);
  });
});
