// AdamW written out, as torch.optim.AdamW computes it: decoupled weight decay on 2-D weights only,
// an explicit epsilon, and global-norm gradient clipping (torch.nn.utils.clip_grad_norm_) before the update.
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../model/gpt.ts';
import { adamwStepWebGPU } from './adamw-webgpu.ts';
import { splitFlat } from '../model/ops.ts';

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  gradClip: number; // 0 disables clipping
}

export interface AdamWState {
  t: number; // steps taken
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

/** The update runs on all parameters at once, as one flat vector in state_dict order: a few kernels per step
 *  instead of ~15 per parameter tensor (bench/README.md). Each element gets exactly torch's update. */
export class AdamW {
  t = 0;
  private readonly names: string[];
  private readonly sizes: number[];
  private readonly m: tf.Variable; // (P) first moments, flat
  private readonly v: tf.Variable; // (P) second moments, flat
  private readonly decayMask: tf.Tensor1D | null; // (P): 1 on 2-D weights (decayed), 0 elsewhere

  constructor(
    private readonly params: Params,
    private readonly opts: AdamWOptions,
  ) {
    this.names = Object.keys(params);
    this.sizes = this.names.map((n) => params[n].size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.m = tf.tidy(() => tf.variable(tf.zeros([total]), false));
    this.v = tf.tidy(() => tf.variable(tf.zeros([total]), false));
    if (opts.weightDecay > 0) {
      const mask = new Float32Array(total);
      let at = 0;
      this.names.forEach((n, i) => {
        if (params[n].shape.length >= 2) mask.fill(1, at, at + this.sizes[i]);
        at += this.sizes[i];
      });
      this.decayMask = tf.keep(tf.tensor1d(mask)); // safe if built inside a tidy
    } else this.decayMask = null;
  }

  /** One update. Returns the pre-clip global gradient norm as a scalar tensor the caller owns (no sync). */
  step(grads: Record<string, tf.Tensor>, lr: number): tf.Scalar {
    const { beta1, beta2, eps, weightDecay, gradClip } = this.opts;
    this.t += 1;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    if (tf.getBackend() === 'webgpu') return adamwStepWebGPU({ names: this.names, params: this.params, grads, m: this.m, v: this.v, opts: this.opts, lr, t: this.t }); // fused kernels
    return tf.tidy(() => {
      const flat = (ts: tf.Tensor[]) => tf.concat(ts.map((t) => tf.reshape(t, [-1])));
      const g0 = flat(this.names.map((n) => grads[n]));
      const norm = tf.sqrt(tf.sum(tf.square(g0))) as tf.Scalar;
      // clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1
      const g = gradClip > 0 ? tf.mul(g0, tf.minimum(1, tf.div(gradClip, tf.add(norm, 1e-6)))) : g0;
      const m = tf.add(tf.mul(this.m, beta1), tf.mul(g, 1 - beta1));
      const v = tf.add(tf.mul(this.v, beta2), tf.mul(tf.square(g), 1 - beta2));
      this.m.assign(m);
      this.v.assign(v);
      const p = flat(this.names.map((n) => this.params[n]));
      // decoupled decay, 2-D weights only: p · (1 − lr · wd) where the mask is 1, p · 1 elsewhere
      const decayed = this.decayMask ? tf.mul(p, tf.sub(1, tf.mul(this.decayMask, lr * weightDecay))) : p;
      const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
      const next = splitFlat(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)) as tf.Tensor1D, this.sizes);
      this.names.forEach((n, i) => this.params[n].assign(tf.reshape(next[i], this.params[n].shape)));
      return tf.keep(norm);
    });
  }

  /** // sync point: checkpoints only */
  async state(): Promise<AdamWState> {
    const [mAll, vAll] = [(await this.m.data()) as Float32Array, (await this.v.data()) as Float32Array];
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    let at = 0;
    this.names.forEach((n, i) => {
      m[n] = mAll.slice(at, at + this.sizes[i]);
      v[n] = vAll.slice(at, at + this.sizes[i]);
      at += this.sizes[i];
    });
    return { t: this.t, m, v };
  }

  load(state: AdamWState): void {
    const total = this.sizes.reduce((a, b) => a + b, 0);
    const [mAll, vAll] = [new Float32Array(total), new Float32Array(total)];
    let at = 0;
    this.names.forEach((n, i) => {
      const sm = state.m[n];
      const sv = state.v[n];
      if (!sm || !sv || sm.length !== this.sizes[i] || sv.length !== this.sizes[i]) throw new Error(`optimizer state does not match parameter ${n}`);
      mAll.set(sm, at);
      vAll.set(sv, at);
      at += this.sizes[i];
    });
    tf.tidy(() => {
      this.m.assign(tf.tensor1d(mAll));
      this.v.assign(tf.tensor1d(vAll));
    });
    this.t = state.t;
  }

  dispose(): void {
    tf.dispose([this.m, this.v, ...(this.decayMask ? [this.decayMask] : [])]);
  }
}

/** Linear warmup, then cosine decay to minLr at the last step (nanoGPT's get_lr). Warmup is capped at a tenth of the run. */
export function learningRate(step: number, totalSteps: number, cfg: { lr: number; minLr: number; warmupSteps: number }): number {
  const warmup = Math.min(cfg.warmupSteps, Math.ceil(totalSteps / 10));
  if (step < warmup) return (cfg.lr * (step + 1)) / (warmup + 1);
  const ratio = Math.min(1, (step - warmup) / Math.max(1, totalSteps - 1 - warmup));
  return cfg.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (cfg.lr - cfg.minLr);
}
