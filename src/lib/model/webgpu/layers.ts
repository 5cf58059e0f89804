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
    gradFunc: (dy: tf.Tensor, [x, w]: tf.Tensor[]) => [k('KxyLayerNormGrad', { x, w, dy }), k('KxyLayerNormWeightGrad', { x, dy }), colSum(dy)],
  };
}) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** [LayerNorm(x), x] for a block's residual stream x (N, C): the block adds its branch to the second output
 *  (linearAdd, mlpAdd), whose gradient then joins LayerNorm's backward kernel instead of an add of its own. */
export function layerNormSkip(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): [tf.Tensor2D, tf.Tensor2D] {
  return tf.engine().runKernel('KxyLayerNormSkip', { x, w, b }) as unknown as [tf.Tensor2D, tf.Tensor2D];
}
tf.registerGradient({
  kernelName: 'KxyLayerNormSkip',
  inputsToSave: ['x', 'w'],
  gradFunc: (dys, saved) => {
    const [dy, dres] = dys as tf.Tensor[];
    const [x, w] = saved as tf.Tensor[];
    return { x: () => k('KxyLayerNormGrad', { x, w, dy, dres }), w: () => k('KxyLayerNormWeightGrad', { x, dy }), b: () => colSum(dy) };
  },
});

/** x + a @ wᵀ + b: the residual add rides in the matmul's epilogue; x's gradient is dy itself. */
export const linearAdd = tf.customGrad((...args: Saved) => {
  const [x, a, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, w]);
  return {
    value: k('KxyMatMul', { a, b: w, bias: b, resid: x }, { ta: false, tb: true }),
    gradFunc: (dy: tf.Tensor, [a, w]: tf.Tensor[]) => [tf.reshape(dy, dy.shape), matMul(dy, w), matMul(dy, a, true, false), colSum(dy)],
  };
}) as (x: tf.Tensor, a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor2D;

/** x + GELU(h @ wfcᵀ + bfc) @ wprojᵀ + bproj, the MLP with its residual add. Backward, GELU's derivative
 *  multiplies the product that makes its dy (KxyMatMul's preact epilogue), so it is no kernel of its own. */
export const mlpAdd = (x: tf.Tensor, h: tf.Tensor, wfc: tf.Tensor, bfc: tf.Tensor, wproj: tf.Tensor, bproj: tf.Tensor): tf.Tensor2D =>
  (settings.geluInMatMul ? mlpAddRecompute : mlpAddKeep)(x, h, wfc, bfc, wproj, bproj);

/** The same with GELU in c_fc's epilogue; the backward recomputes the pre-activation in the dy product. */
const mlpAddRecompute = tf.customGrad((...args: Saved) => {
  const [x, h, wfc, bfc, wproj, bproj, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const hidden = k('KxyMatMul', { a: h, b: wfc, bias: bfc }, { ta: false, tb: true, gelu: true }); // (N, 4C)
  save([h, wfc, bfc, wproj, hidden]);
  return {
    value: k('KxyMatMul', { a: hidden, b: wproj, bias: bproj, resid: x }, { ta: false, tb: true }),
    gradFunc: (dy: tf.Tensor, [h, wfc, bfc, wproj, hidden]: tf.Tensor[]) => {
      const dpre = k('KxyMatMul', { a: dy, b: wproj, A2: h, B2: wfc, bias2: bfc }, { ta: false, tb: false }); // (N, 4C)
      return [tf.reshape(dy, dy.shape), matMul(dpre, wfc), matMul(dpre, h, true, false), colSum(dpre), matMul(dy, hidden, true, false), colSum(dy)];
    },
  };
}) as (x: tf.Tensor, h: tf.Tensor, wfc: tf.Tensor, bfc: tf.Tensor, wproj: tf.Tensor, bproj: tf.Tensor) => tf.Tensor2D;

const mlpAddKeep = tf.customGrad((...args: Saved) => {
  const [x, h, wfc, bfc, wproj, bproj, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const pre = matMul(h, wfc, false, true, bfc); // (N, 4C)
  const hidden = k('KxyGelu', { x: pre });
  save([h, wfc, wproj, pre, hidden]);
  return {
    value: k('KxyMatMul', { a: hidden, b: wproj, bias: bproj, resid: x }, { ta: false, tb: true }),
    gradFunc: (dy: tf.Tensor, [h, wfc, wproj, pre, hidden]: tf.Tensor[]) => {
      const dpre = k('KxyMatMul', { a: dy, b: wproj, preact: pre }, { ta: false, tb: false }); // (N, 4C)
      return [tf.reshape(dy, dy.shape), matMul(dpre, wfc), matMul(dpre, h, true, false), colSum(dpre), matMul(dy, hidden, true, false), colSum(dy)];
    },
  };
}) as (x: tf.Tensor, h: tf.Tensor, wfc: tf.Tensor, bfc: tf.Tensor, wproj: tf.Tensor, bproj: tf.Tensor) => tf.Tensor2D;

/** [wte[idx] + wpe[t], wte] for idx (B·T) int32: x0 (B·T, C) and the tied head's weight, one kernel. Its
 *  gradient takes both outputs' gradients: wte's is the head's plus the lookup's rows, in one kernel. */
export function embed(wte: tf.Tensor, wpe: tf.Tensor, idx: tf.Tensor1D, T: number): [tf.Tensor2D, tf.Tensor2D] {
  return tf.engine().runKernel('KxyEmbed', { wte, wpe, idx }, { T, Tmax: wpe.shape[0] }) as unknown as [tf.Tensor2D, tf.Tensor2D];
}
tf.registerGradient({
  kernelName: 'KxyEmbed',
  inputsToSave: ['idx'],
  gradFunc: (dys, saved, attrs) => {
    const [dx, dhead] = dys as tf.Tensor[];
    const [idx] = saved as tf.Tensor[];
    return { wte: () => k('KxyEmbedGrad', { dy: dx, idx, dhead }), wpe: () => k('KxyPosGrad', { dy: dx }, attrs), idx: () => tf.zerosLike(idx).toFloat() };
  },
});

/** Mean over all elements; its gradient is one fill kernel (tfjs's is a multiply and a divide). */
export function meanAll(x: tf.Tensor): tf.Scalar {
  const f = tf.customGrad((...args: Saved) => ({
    value: tf.mean(args[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => [k('KxyFill', { v: dy }, { shape: x.shape, scale: 1 / x.size })],
  }));
  return f(x) as tf.Scalar;
}

/** Σ_t x · mask per row of (B, T) → (B), one kernel; no gradient (it is read, never trained on). */
export function maskedRowSum(x: tf.Tensor, mask: tf.Tensor): tf.Tensor1D {
  return k('KxyMaskedRowSum', { x, mask }) as tf.Tensor1D;
}

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
// geluInMatMul: GELU in c_fc's epilogue, its input recomputed in the backward (2 fewer dispatches at nano, but
// 7 % slower per step on SwiftShader, bench/README.md): off until a GPU measures it.
export const settings = { ownMatMul: true, geluInMatMul: false };

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
