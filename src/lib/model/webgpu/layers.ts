// The GPT's layers on WebGPU, each a fused kernel (kernels.ts) with its gradient as another: ops.ts calls
// these when the backend is webgpu. Same formulas as ops.ts; tests/webgpu-kernels.test.ts checks each,
// value and gradient, against the cpu backend.
import * as tf from '@tensorflow/tfjs';
import './kernels.ts';

type Saved = (tf.Tensor | tf.GradSaveFunc)[];
const k = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) => tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;

/** Σ over rows: (N, C) → (C). */
export function colSum(x: tf.Tensor): tf.Tensor1D {
  return k('KxyColSum', { x }) as tf.Tensor1D;
}

/** LayerNorm over the last axis, eps 1e-5, x (N, C). */
export const layerNorm = tf.customGrad((...args: Saved) => {
  const [x, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: k('KxyLayerNorm', { x, w, b }),
    gradFunc: (dy: tf.Tensor, [x, w]: tf.Tensor[]) => {
      const stats = k('KxyLayerNormStats', { x });
      return [k('KxyLayerNormGrad', { x, w, dy, stats }), k('KxyLayerNormWeightGrad', { x, dy, stats }), colSum(dy)];
    },
  };
}) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** GELU, tanh form, elementwise. */
export const gelu = tf.customGrad((...args: Saved) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return { value: k('KxyGelu', { x }), gradFunc: (dy: tf.Tensor, [x]: tf.Tensor[]) => [k('KxyGeluGrad', { x, dy })] };
}) as (x: tf.Tensor) => tf.Tensor;

/** Cross-entropy in nats of each target: logits (N, V), targets (N) int32 → (N). */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const f = tf.customGrad((...args: Saved) => {
    const [logits, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([logits]);
    return {
      value: k('KxyCrossEntropy', { logits, targets }),
      gradFunc: (dy: tf.Tensor, [logits]: tf.Tensor[]) => [k('KxyCrossEntropyGrad', { logits, targets, dy })],
    };
  });
  return f(logits) as tf.Tensor1D;
}

/** z · (log Σ exp logits)² per row, (N): the z-loss, training only. */
export function zLoss(logits: tf.Tensor2D, z: number): tf.Tensor1D {
  const f = tf.customGrad((...args: Saved) => {
    const [logits, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([logits]);
    return {
      value: k('KxyZLoss', { logits }, { z }),
      gradFunc: (dy: tf.Tensor, [logits]: tf.Tensor[]) => [k('KxyZLossGrad', { logits, dy }, { z })],
    };
  });
  return f(logits) as tf.Tensor1D;
}

/** The attention block up to c_proj: x (B·T, C), c_attn weight (3C, C) and bias (3C) → (B·T, C). One
 *  matmul makes q, k and v; the fused kernel does the rest. */
export function attention(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, T: number, nh: number): tf.Tensor2D {
  const f = tf.customGrad((...args: Saved) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor, tf.GradSaveFunc];
    const qkv = matMul(x, w, false, true, b); // (B·T, 3C)
    const y = k('KxyAttention', { qkv }, { T, nh });
    save([x, w, qkv, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [x, w, qkv, y]: tf.Tensor[]) => {
        const stats = k('KxyAttentionStats', { qkv, y, dy }, { T, nh });
        const dqkv = k('KxyAttentionGrad', { qkv, dy, stats }, { T, nh }); // (B·T, 3C)
        return [matMul(dqkv, w), matMul(dqkv, x, true, false), colSum(dqkv)];
      },
    };
  });
  return f(x, w, b) as tf.Tensor2D;
}

/** Which matmul the layers use: kxy's barrier-free KxyMatMul, or tfjs's tiled one (for A/B timing). */
export const settings = { ownMatMul: true };

/** a @ b for 2-D a and b, either transposed, plus an optional bias (one per output column). */
export function matMul(a: tf.Tensor, b: tf.Tensor, ta = false, tb = false, bias: tf.Tensor | null = null): tf.Tensor2D {
  if (!settings.ownMatMul) return tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, transposeB: tb, bias: bias ?? undefined }) as tf.Tensor2D;
  return k('KxyMatMul', bias ? { a, b, bias } : { a, b }, { ta, tb }) as tf.Tensor2D;
}

// KxyMatMul's own gradient, for callers outside a customGrad (autodiff of ops.matmul)
tf.registerGradient({
  kernelName: 'KxyMatMul',
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved as tf.Tensor[];
    const { ta, tb } = attrs as unknown as { ta: boolean; tb: boolean };
    const d = dy as tf.Tensor;
    return {
      a: () => (ta ? matMul(b, d, tb, true) : matMul(d, b, false, !tb)),
      b: () => (tb ? matMul(d, a, true, ta) : matMul(a, d, !ta, false)),
      bias: () => colSum(d),
    };
  },
});
