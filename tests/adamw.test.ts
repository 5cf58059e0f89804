// AdamW against values computed by hand with torch.optim.AdamW's formulas, and the learning-rate schedule.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, learningRate } from '../src/lib/train/adamw.ts';
import { useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

describe('AdamW', () => {
  it('matches a step worked by hand: clipping, bias correction, decay on 2-D weights only', () => {
    const opts = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1.0 };
    const w0 = [0.5, -0.25, 1.0, 2.0];
    const b0 = [0.1, -0.1];
    const params = { w: tf.variable(tf.tensor2d(w0, [2, 2])), b: tf.variable(tf.tensor1d(b0)) };
    const gw = [0.3, -0.4, 1.2, 0.0];
    const gb = [1.0, -2.0];
    const opt = new AdamW(params, opts);
    const lr = 0.01;
    const norm = opt.step({ w: tf.tensor2d(gw, [2, 2]), b: tf.tensor1d(gb) }, lr);

    // by hand: global norm = sqrt(0.09 + 0.16 + 1.44 + 0 + 1 + 4) = sqrt(6.69)
    const total = Math.sqrt(6.69);
    expect(norm.dataSync()[0]).toBeCloseTo(total, 5);
    const scale = 1.0 / (total + 1e-6);
    const update = (p0: number, g0: number, decay: boolean) => {
      const g = g0 * scale;
      const m = 0.1 * g; // (1 - beta1) g
      const v = 0.05 * g * g; // (1 - beta2) g²
      const bc1 = 1 - 0.9;
      const bc2 = 1 - 0.95;
      const p = decay ? p0 * (1 - lr * 0.1) : p0;
      return p - (lr / bc1) * (m / (Math.sqrt(v) / Math.sqrt(bc2) + 1e-8));
    };
    const wantW = w0.map((p, i) => update(p, gw[i], true));
    const wantB = b0.map((p, i) => update(p, gb[i], false));
    Array.from(params.w.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(wantW[i], 6));
    Array.from(params.b.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(wantB[i], 6));
    // a zero gradient still moves a 2-D weight by decay only: 2.0 * (1 - 0.001)
    expect(params.w.dataSync()[3]).toBeCloseTo(2.0 * (1 - lr * 0.1), 6);
  });

  it('clips before the moments: after step 1, m = (1 − β1)·g·scale and v = (1 − β2)·(g·scale)²', async () => {
    // At step 1 the update is lr·sign(g) whatever the scale, so only the moments show whether g was clipped.
    const opt = new AdamW({ b: tf.variable(tf.tensor1d([0, 0, 0])) }, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, gradClip: 1.0 });
    const g = [3, 0, -4]; // norm 5: scaled by 1 / (5 + 1e-6)
    tf.dispose(opt.step({ b: tf.tensor1d(g) }, 0.01));
    const scale = 1 / (5 + 1e-6);
    const { t, m, v } = await opt.state();
    expect(t).toBe(1);
    Array.from(m.b).forEach((x, i) => expect(x).toBeCloseTo(0.1 * g[i] * scale, 7));
    Array.from(v.b).forEach((x, i) => expect(x).toBeCloseTo(0.05 * (g[i] * scale) ** 2, 7));
    opt.dispose();
  });

  it('two clipped steps worked by hand: the first gradient clipped, the second under the limit', () => {
    const opts = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 1.0 };
    const p = { b: tf.variable(tf.tensor1d([1.0, -1.0])) };
    const opt = new AdamW(p, opts);
    const g1 = [3, 4]; // norm 5 → scaled to norm 1
    const g2 = [0.3, -0.4]; // norm 0.5 → unchanged
    tf.dispose(opt.step({ b: tf.tensor1d(g1) }, 0.1));
    tf.dispose(opt.step({ b: tf.tensor1d(g2) }, 0.1));
    const s1 = 1 / (5 + 1e-6);
    const want = [0, 1].map((i) => {
      let m = 0.1 * g1[i] * s1;
      let v = 0.01 * (g1[i] * s1) ** 2;
      const p1 = [1.0, -1.0][i] - (0.1 / 0.1) * (m / (Math.sqrt(v) / Math.sqrt(0.01) + 1e-8));
      m = 0.9 * m + 0.1 * g2[i];
      v = 0.99 * v + 0.01 * g2[i] ** 2;
      return p1 - (0.1 / (1 - 0.81)) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.99 ** 2) + 1e-8));
    });
    Array.from(p.b.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(want[i], 6));
    opt.dispose();
  });

  it('keeps its moments across steps (second step worked by hand, no clipping)', () => {
    const opts = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0, gradClip: 0 };
    const p = { b: tf.variable(tf.tensor1d([1.0])) };
    const opt = new AdamW(p, opts);
    opt.step({ b: tf.tensor1d([0.5]) }, 0.1);
    opt.step({ b: tf.tensor1d([-1.0]) }, 0.1);
    let m = 0.1 * 0.5;
    let v = 0.01 * 0.25;
    const p1 = 1.0 - (0.1 / 0.1) * (m / (Math.sqrt(v) / Math.sqrt(0.01) + 1e-8));
    m = 0.9 * m + 0.1 * -1.0;
    v = 0.99 * v + 0.01 * 1.0;
    const p2 = p1 - (0.1 / (1 - 0.81)) * (m / (Math.sqrt(v) / Math.sqrt(1 - 0.99 ** 2) + 1e-8));
    expect(p.b.dataSync()[0]).toBeCloseTo(p2, 6);
  });

  it('warms up linearly, then decays along a cosine to minLr', () => {
    const cfg = { lr: 1e-3, minLr: 1e-4, warmupSteps: 10 };
    expect(learningRate(0, 1000, cfg)).toBeCloseTo(1e-3 / 11, 12);
    expect(learningRate(9, 1000, cfg)).toBeCloseTo(1e-3 * (10 / 11), 12);
    expect(learningRate(10, 1000, cfg)).toBeCloseTo(1e-3, 12);
    expect(learningRate(999, 1000, cfg)).toBeCloseTo(1e-4, 12);
    expect(learningRate(10 + (999 - 10) / 2, 1000, cfg)).toBeCloseTo(5.5e-4, 12);
    // warmup is capped at a tenth of a short run
    expect(learningRate(3, 30, cfg)).toBeCloseTo(1e-3, 12);
  });
});
