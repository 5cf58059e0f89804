// AdamW's step on WebGPU in a few kxy kernels instead of ~25 tfjs ones: the global gradient norm in one
// reduction, the clipped first and second moments of every parameter in one kernel each, then one update
// per parameter tensor (each is its own tf.Variable). Same arithmetic as AdamW.step in adamw.ts.
import * as tf from '@tensorflow/tfjs';
import { FlatProgram, f, register, run } from '../model/webgpu/program.ts';
import type { AdamWOptions } from './adamw.ts';

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
const NORM_GROUP = 256;

/** sqrt(Σ g²) of a flat g (P) → (1): one workgroup, strided partial sums, then a tree in shared memory. */
register('KxyGlobalNorm', (a) => {
  const g = a.inputs.g as tf.TensorInfo;
  const P = g.shape[0];
  const body = `
    var s = 0.0;
    for (var i = index; i < ${P}; i += ${NORM_GROUP}) { s += g[i] * g[i]; }
    partial[index] = s;
    workgroupBarrier();
    for (var w = ${NORM_GROUP / 2}; w > 0; w = w / 2) {
      if (index < w) { partial[index] += partial[index + w]; }
      workgroupBarrier();
    }
    if (index == 0) { result[0] = sqrt(partial[0]); }`;
  const p = new FlatProgram(`gnorm_${P}`, ['g'], [1], NORM_GROUP, body, undefined, NORM_GROUP);
  p.prelude = `var<workgroup> partial : array<f32, ${NORM_GROUP}>;`;
  return run(a.backend, p, [g]);
});

/** The moment update m ← β m + (1 − β) u with u = c·g (first) or (c·g)² (second), c the clip scale. */
register('KxyAdamMoment', (a) => {
  const { g, m, norm } = a.inputs as Record<string, tf.TensorInfo>;
  const { beta, second, clip } = a.attrs as { beta: number; second: boolean; clip: number };
  const P = g.shape[0];
  const scale = clip > 0 ? `min(1.0, ${f(clip)} / (norm[0] + 1e-6))` : '1.0';
  const body = `
    let u = g[index] * ${scale};
    result[index] = ${f(beta)} * m[index] + ${f(1 - beta)} * ${second ? 'u * u' : 'u'};`;
  return run(a.backend, new FlatProgram(`adammoment_${P},${beta},${second},${clip}`, ['g', 'm', 'norm'], [P], P, body), [g, m, norm]);
});

/** p ← p · decay − (lr / bc1) · m / (sqrt(v) / sqrt(bc2) + eps), on one parameter at `offset` of the flat moments. */
register('KxyAdamUpdate', (a) => {
  const { p, m, v } = a.inputs as Record<string, tf.TensorInfo>;
  const { offset, decay, step, sbc2, eps } = a.attrs as Record<string, number>;
  const n = p.shape.reduce((x, y) => x * y, 1);
  const body = `
    let o = uniforms.offset + index;
    result[index] = p[index] * uniforms.decay - uniforms.step * m[o] / (sqrt(v[o]) / uniforms.sbc2 + ${f(eps)});`;
  const prog = new FlatProgram(`adamupdate_${n},${eps}`, ['p', 'm', 'v'], p.shape, n, body, 'offset : i32, decay : f32, step : f32, sbc2 : f32,');
  return run(a.backend, prog, [p, m, v], [
    { type: 'int32', data: [offset] },
    { type: 'float32', data: [decay] },
    { type: 'float32', data: [step] },
    { type: 'float32', data: [sbc2] },
  ]);
});

const k = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;

/** One AdamW step over `names` (state_dict order, the order of the flat moments m and v); assigns the
 *  parameters and the moments, and returns the pre-clip global gradient norm (a scalar the caller owns). */
export function adamwStepWebGPU(o: {
  names: string[];
  params: Record<string, tf.Variable>;
  grads: Record<string, tf.Tensor>;
  m: tf.Variable;
  v: tf.Variable;
  opts: AdamWOptions;
  lr: number;
  t: number;
}): tf.Scalar {
  const { beta1, beta2, eps, weightDecay, gradClip } = o.opts;
  const bc1 = 1 - beta1 ** o.t;
  const bc2 = 1 - beta2 ** o.t;
  return tf.tidy(() => {
    const g = tf.concat(o.names.map((n) => tf.reshape(o.grads[n], [-1])));
    const norm = k('KxyGlobalNorm', { g });
    const m = k('KxyAdamMoment', { g, m: o.m, norm }, { beta: beta1, second: false, clip: gradClip });
    const v = k('KxyAdamMoment', { g, m: o.v, norm }, { beta: beta2, second: true, clip: gradClip });
    o.m.assign(m);
    o.v.assign(v);
    let offset = 0;
    for (const n of o.names) {
      const p = o.params[n];
      const decay = weightDecay > 0 && p.shape.length >= 2 ? 1 - o.lr * weightDecay : 1; // decoupled, 2-D weights only
      p.assign(k('KxyAdamUpdate', { p, m, v }, { offset, decay, step: o.lr / bc1, sbc2: Math.sqrt(bc2), eps }));
      offset += p.size;
    }
    return tf.keep(tf.reshape(norm, []) as tf.Scalar);
  });
}
