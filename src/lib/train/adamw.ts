// AdamW written out, as torch.optim.AdamW computes it: decoupled weight decay on 2-D weights only,
// an explicit epsilon, and global-norm gradient clipping (torch.nn.utils.clip_grad_norm_) before the update.
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../model/gpt.ts';

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

export class AdamW {
  t = 0;
  private readonly m: Record<string, tf.Variable> = {};
  private readonly v: Record<string, tf.Variable> = {};

  constructor(
    private readonly params: Params,
    private readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of Object.entries(params)) {
      this.m[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
      this.v[name] = tf.tidy(() => tf.variable(tf.zerosLike(p), false));
    }
  }

  /** One update. Returns the pre-clip global gradient norm as a scalar tensor the caller owns (no sync). */
  step(grads: Record<string, tf.Tensor>, lr: number): tf.Scalar {
    const { beta1, beta2, eps, weightDecay, gradClip } = this.opts;
    this.t += 1;
    const bc1 = 1 - beta1 ** this.t;
    const bc2 = 1 - beta2 ** this.t;
    return tf.tidy(() => {
      const names = Object.keys(this.params);
      // stack + sum, not addN: webgpu's AddN binds every input at once and overflows 8 storage buffers
      const norm = tf.sqrt(tf.sum(tf.stack(names.map((n) => tf.sum(tf.square(grads[n])))))) as tf.Scalar;
      // clip_grad_norm_: scale by max_norm / (norm + 1e-6) when that is below 1
      const scale = gradClip > 0 ? tf.minimum(1, tf.div(gradClip, tf.add(norm, 1e-6))) : null;
      for (const n of names) {
        const p = this.params[n];
        const g = scale ? tf.mul(grads[n], scale) : grads[n];
        const m = tf.add(tf.mul(this.m[n], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[n], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.m[n].assign(m);
        this.v[n].assign(v);
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
        const decayed = p.shape.length >= 2 && weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
      }
      return tf.keep(norm);
    });
  }

  /** // sync point: checkpoints only */
  async state(): Promise<AdamWState> {
    const m: Record<string, Float32Array> = {};
    const v: Record<string, Float32Array> = {};
    for (const n of Object.keys(this.params)) {
      m[n] = (await this.m[n].data()) as Float32Array;
      v[n] = (await this.v[n].data()) as Float32Array;
    }
    return { t: this.t, m, v };
  }

  load(state: AdamWState): void {
    for (const n of Object.keys(this.params)) {
      const sm = state.m[n];
      const sv = state.v[n];
      if (!sm || !sv || sm.length !== this.params[n].size || sv.length !== this.params[n].size) throw new Error(`optimizer state does not match parameter ${n}`);
      tf.tidy(() => {
        this.m[n].assign(tf.tensor(sm, this.params[n].shape));
        this.v[n].assign(tf.tensor(sv, this.params[n].shape));
      });
    }
    this.t = state.t;
  }

  dispose(): void {
    for (const n of Object.keys(this.m)) {
      this.m[n].dispose();
      this.v[n].dispose();
    }
  }
}

/** Linear warmup, then cosine decay to minLr at the last step (nanoGPT's get_lr). Warmup is capped at a tenth of the run. */
export function learningRate(step: number, totalSteps: number, cfg: { lr: number; minLr: number; warmupSteps: number }): number {
  const warmup = Math.min(cfg.warmupSteps, Math.ceil(totalSteps / 10));
  if (step < warmup) return (cfg.lr * (step + 1)) / (warmup + 1);
  const ratio = Math.min(1, (step - warmup) / Math.max(1, totalSteps - 1 - warmup));
  return cfg.minLr + 0.5 * (1 + Math.cos(Math.PI * ratio)) * (cfg.lr - cfg.minLr);
}
