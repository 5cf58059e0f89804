// The GPT's layers as single ops with hand-written gradients: the same formulas as autodiff would
// differentiate, in fewer and cheaper kernels (bench/README.md). tests/ops.test.ts checks every one against
// autodiff of its plain formula. Also a batched matmul that reaches tfjs-wasm's XNNPACK kernel.
import * as tf from '@tensorflow/tfjs';
import * as gpu from './webgpu/layers.ts'; // fused WGSL kernels, used on webgpu only
import '@tensorflow/tfjs-backend-wasm'; // its kernels first: this file wraps its Identity

const onWebGPU = () => tf.getBackend() === 'webgpu';
/** Whether the current backend is wasm and this file's kernel `name` runs on it (not where tfjs's internals differ). */
const hasWasmKernel = (name: string) => tf.getBackend() === 'wasm' && wasmInternals(tf.backend()) != null && tf.getKernel(name, 'wasm') != null;

/** Splits a 1-D tensor into consecutive pieces of `sizes`. tfjs-wasm's SplitV copies the whole input once per
 *  piece (its Slice reads the input with readSync), 53 ms of a micro step for AdamW's ~50 pieces. */
export function splitFlat(t: tf.Tensor1D, sizes: number[]): tf.Tensor1D[] {
  if (hasWasmKernel(KXY_SPLIT)) return tf.engine().runKernel(KXY_SPLIT, { x: t }, { sizes }) as unknown as tf.Tensor1D[];
  return tf.split(t, sizes) as tf.Tensor1D[];
}

/** Swaps the last two axes. */
export function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(t, perm);
}

/** a @ b, optionally transposed. WebGPU reads the flags; wasm and cpu get explicit transposes, because their
 *  transposed-operand paths run 8–19× slower (bench/matmul.ts). Batched products on wasm go to KxyBatchMatMul. */
export function matmul(a: tf.Tensor, b: tf.Tensor, ta = false, tb = false): tf.Tensor {
  if (onWebGPU()) return a.rank === 2 && b.rank === 2 ? gpu.matMul(a, b, ta, tb) : tf.matMul(a, b, ta, tb);
  const A = ta ? swapLast(a) : a;
  const B = tb ? swapLast(b) : b;
  if (A.rank > 2 && tf.getBackend() === 'wasm') return tf.engine().runKernel(KXY_BMM, { a: A, b: B }) as tf.Tensor;
  return tf.matMul(A, B);
}

/** Column sums of (N, C) → (C). tfjs-wasm's Sum over axis 0 is ~10× slower than a ones-row matmul. */
function colSum(t: tf.Tensor): tf.Tensor {
  if (onWebGPU()) return gpu.colSum(t);
  if (onWebGPU() || tf.getBackend() !== 'wasm') return tf.sum(t, 0);
  return tf.reshape(tf.matMul(tf.ones([1, t.shape[0]]), t), [t.shape[1]!]);
}

/** dyᵀ @ x, the gradient of a weight used as x @ Wᵀ: (N, out), (N, in) → (out, in). Without transpose flags.
 *  On wasm the narrower activation is the right operand, the wider one is transposed: XNNPACK packs the right
 *  operand afresh for every new tensor and streams it once per few rows of the left, so a small right operand
 *  saves more than the larger transpose costs (about 15 % at micro's c_fc, bench/README.md). Elsewhere the narrower
 *  one is transposed. */
function weightGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (onWebGPU()) return gpu.matMul(dy, x, true, false);
  const transposeDy = tf.getBackend() === 'wasm' ? dy.shape[1]! >= x.shape[1]! : dy.shape[1]! <= x.shape[1]!;
  if (transposeDy) return tf.matMul(tf.transpose(dy), x);
  return tf.transpose(tf.matMul(tf.transpose(x), dy));
}

// ---- linear, LayerNorm, GELU --------------------------------------------------------------------

/** x @ Wᵀ + b for x (N, in), W (out, in), b (out) or null. */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor2D {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [x, w, bias] = args as tf.Tensor[];
    save([x, w]);
    return {
      value: linearValue(x as tf.Tensor2D, w, bias ?? null),
      gradFunc: (dy: tf.Tensor, [x, w]: tf.Tensor[]) => [matmul(dy, w), weightGrad(dy, x), ...(bias ? [colSum(dy)] : [])],
    };
  });
  return (b ? f(x, w, b) : f(x, w)) as tf.Tensor2D;
}

/** LayerNorm over the last axis, eps 1e-5, for x (N, C). */
export const layerNorm = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor => (onWebGPU() ? gpu.layerNorm : layerNormOps)(x, w, b);
const layerNormOps = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  const xc = tf.sub(x, tf.mean(x, -1, true));
  const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), 1e-5)); // (N, 1)
  const xhat = tf.mul(xc, rstd);
  save([xhat, rstd, w]);
  return {
    value: tf.add(tf.mul(xhat, w), b),
    gradFunc: (dy: tf.Tensor, [xhat, rstd, w]: tf.Tensor[]) => {
      const g = tf.mul(dy, w);
      // dx = rstd · (g − mean(g) − x̂ · mean(g · x̂))
      const dx = tf.mul(tf.sub(tf.sub(g, tf.mean(g, -1, true)), tf.mul(xhat, tf.mean(tf.mul(g, xhat), -1, true))), rstd);
      return [dx, colSum(tf.mul(dy, xhat)), colSum(dy)];
    },
  };
}) as (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor;

const GELU_A = 2 * Math.sqrt(2 / Math.PI); // 0.5 (1 + tanh z) = sigmoid(2z), with z = sqrt(2/π) (x + 0.044715 x³)
const GELU_B = 0.044715;

/** GELU, tanh approximation (GPT-2's), as x · sigmoid(2z): the same function, and tfjs-wasm's Sigmoid is
 *  an XNNPACK kernel ~15× faster than its Tanh. */
export const gelu = (x: tf.Tensor): tf.Tensor => (onWebGPU() ? gpu.gelu : geluOps)(x);
const geluOps = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  const x2 = tf.square(x);
  const s = tf.sigmoid(tf.mul(x, tf.add(tf.mul(x2, GELU_A * GELU_B), GELU_A))); // sigmoid(2z)
  save([x, x2, s]);
  return {
    value: tf.mul(x, s),
    gradFunc: (dy: tf.Tensor, [x, x2, s]: tf.Tensor[]) => {
      // d/dx x·s = s + x · s(1 − s) · 2z', with 2z' = A (1 + 3B x²)
      const ds = tf.mul(tf.mul(s, tf.sub(1, s)), tf.add(tf.mul(x2, 3 * GELU_A * GELU_B), GELU_A));
      return [tf.mul(dy, tf.add(s, tf.mul(x, ds)))];
    },
  };
}) as (x: tf.Tensor) => tf.Tensor;

// ---- residual adds: on webgpu each rides in a kernel, elsewhere tf.add -----------------------------------

/** [LayerNorm(x), x], the second for the block's residual add: on webgpu that add's gradient is summed
 *  inside LayerNorm's backward kernel; elsewhere it is x and tfjs adds the two gradients. */
export function layerNormSkip(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): [tf.Tensor2D, tf.Tensor2D] {
  if (onWebGPU()) return gpu.layerNormSkip(x, w, b);
  return [layerNorm(x, w, b) as tf.Tensor2D, x];
}

/** x + a @ Wᵀ + b, the add in the matmul's epilogue on webgpu. */
export function linearAdd(x: tf.Tensor2D, a: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  if (onWebGPU()) return gpu.linearAdd(x, a, w, b);
  return tf.add(x, linear(a, w, b));
}

/** x + GELU(h @ Wfcᵀ + bfc) @ Wprojᵀ + bproj: the MLP and its residual add; on webgpu GELU's backward rides
 *  in a matmul too. */
export function mlpAdd(x: tf.Tensor2D, h: tf.Tensor2D, wfc: tf.Tensor, bfc: tf.Tensor, wproj: tf.Tensor, bproj: tf.Tensor): tf.Tensor2D {
  if (onWebGPU()) return gpu.mlpAdd(x, h, wfc, bfc, wproj, bproj);
  return tf.add(x, linear(gelu(linear(h, wfc, bfc)) as tf.Tensor2D, wproj, bproj));
}

// ---- embedding and loss ---------------------------------------------------------------------------

/** [wte[idx] + wpe[t], wte] for idx (B·T) int32 → x0 (B·T, C) and the tied head's weight. On webgpu one
 *  kernel, whose gradient sums the head's and the lookup's parts of wte's in one more; elsewhere the head
 *  is wte itself and tfjs adds them. */
export function embed(wte: tf.Tensor, wpe: tf.Tensor, idx: tf.Tensor1D, B: number, T: number, onehotGrad: boolean): [tf.Tensor2D, tf.Tensor] {
  if (onWebGPU()) return gpu.embed(wte, wpe, idx, T);
  const C = wte.shape[1]!;
  const pos = tf.slice(wpe, [0, 0], [T, C]); // (T, C)
  const tok = tf.reshape(embedding(wte, idx, onehotGrad), [B, T, C]); // (B, T, C)
  return [tf.reshape(tf.add(tok, pos), [B * T, C]), wte];
}

/** wte[idx] for idx (N) int32 → (N, C). With onehotGrad the gradient is onehot(idx)ᵀ @ dy, a matmul, for
 *  backends without UnsortedSegmentSum (the gather's own gradient, missing on wasm). */
export function embedding(wte: tf.Tensor, idx: tf.Tensor1D, onehotGrad: boolean): tf.Tensor2D {
  if (!onehotGrad) return tf.gather(wte, idx) as tf.Tensor2D;
  const V = wte.shape[0];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [wte] = args as tf.Tensor[];
    return {
      value: tf.gather(wte, idx),
      // wasm: rows of dy added into their tokens' rows (KxyEmbeddingGrad); elsewhere onehot(idx)ᵀ @ dy
      gradFunc: (dy: tf.Tensor) => [hasWasmKernel(KXY_EMBED_GRAD) ? tf.engine().runKernel(KXY_EMBED_GRAD, { dy, idx }, { V }) as tf.Tensor : weightGrad(tf.cast(tf.oneHot(idx, V), 'float32'), dy)], // (V, C)
    };
  });
  return f(wte) as tf.Tensor2D;
}

/** Cross-entropy in nats of each target: logits (N, V), targets (N) int32 → (N). log-sum-exp − logit of the
 *  target, so never log of a softmax; the gradient is softmax − onehot. */
export function crossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  if (onWebGPU()) return gpu.crossEntropy(logits, targets);
  const V = logits.shape[1];
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [logits, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const hot = tf.cast(tf.oneHot(targets, V), 'float32');
    save([logits, hot]);
    return {
      value: tf.sub(tf.logSumExp(logits, -1), tf.sum(tf.mul(logits, hot), -1)),
      gradFunc: (dy: tf.Tensor, [logits, hot]: tf.Tensor[]) => [tf.mul(tf.sub(tf.softmax(logits), hot), tf.reshape(dy, [-1, 1]))],
    };
  });
  return f(logits) as tf.Tensor1D;
}

/** The mean of all of x (a scalar); on webgpu its gradient is one kernel. */
export function meanAll(x: tf.Tensor): tf.Scalar {
  return onWebGPU() ? gpu.meanAll(x) : tf.mean(x);
}

/** Σ_t x · mask per row of (B, T) → (B); on webgpu one kernel. Not for differentiating. */
export function maskedRowSum(x: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  return onWebGPU() ? gpu.maskedRowSum(x, mask) : tf.sum(tf.mul(x, mask), 1);
}

/** PaLM's z-loss of each row, z · (log Σ exp logits)²: logits (N, V) → (N). Training only: it pulls log Z
 *  toward 0 so logits cannot drift together; the gradient is 2z · lse · softmax. */
export function zLoss(logits: tf.Tensor2D, z: number): tf.Tensor1D {
  if (onWebGPU()) return gpu.zLoss(logits, z);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [logits, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const lse = tf.logSumExp(logits, -1);
    save([logits, lse]);
    return {
      value: tf.mul(z, tf.square(lse)),
      gradFunc: (dy: tf.Tensor, [logits, lse]: tf.Tensor[]) => [tf.mul(tf.softmax(logits), tf.reshape(tf.mul(tf.mul(2 * z, lse), dy), [-1, 1]))],
    };
  });
  return f(logits) as tf.Tensor1D;
}

// ---- causal self-attention --------------------------------------------------------------------------

// A large finite negative rather than -Infinity: -Infinity turns a fully masked row into NaN on some backends.
const MASKED = -1e9;
const maskCache = new Map<number, Float32Array>();
function causalMask(T: number): tf.Tensor2D {
  let m = maskCache.get(T);
  if (!m) {
    m = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) m[i * T + j] = MASKED;
    maskCache.set(T, m);
  }
  return tf.tensor2d(m, [T, T]); // (T, T): 0 on and below the diagonal
}

/** Causal self-attention up to the heads' merge, before c_proj: x (B·T, C), the stacked q, k, v weight
 *  (3C, C) and bias (3C) → (B·T, C). q, k and v come from three products with slices of the weight, so the
 *  activations are never split. `drop` is a (B, nh, T, T) dropout multiplier (0 or 1/(1−p)), or null. */
export function attention(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor, B: number, T: number, nh: number, drop: tf.Tensor | null): tf.Tensor2D {
  if (onWebGPU() && !drop) return gpu.attention(x, w, b, T, nh);
  const C = x.shape[1];
  const hs = C / nh;
  const scale = 1 / Math.sqrt(hs);
  const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, nh, hs]), [0, 2, 1, 3]); // (B·T, C) → (B, nh, T, hs)
  const merge = (t: tf.Tensor) => tf.reshape(tf.transpose(t, [0, 2, 1, 3]), [B * T, C]); // and back
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const proj = (i: number) => linearValue(x, tf.slice(w, [i * C, 0], [C, C]), tf.slice(b, [i * C], [C]));
    const [q, k, v] = [0, 1, 2].map((i) => heads(proj(i))); // (B, nh, T, hs) each
    const p = tf.softmax(tf.add(tf.mul(matmul(q, k, false, true), scale), causalMask(T))); // (B, nh, T, T)
    const pd = drop ? tf.mul(p, drop) : p;
    // drop is saved too: made outside this op, it is gone (disposed with the forward's tidy) by the backward
    save([x, w, q, k, v, p, pd, ...(drop ? [drop] : [])]);
    return {
      value: merge(matmul(pd, v)),
      gradFunc: (dy: tf.Tensor, [x, w, q, k, v, p, pd, drop]: tf.Tensor[]) => {
        const dY = heads(dy); // (B, nh, T, hs)
        let dP = matmul(dY, v, false, true); // (B, nh, T, T)
        const dV = matmul(pd, dY, true, false);
        if (drop) dP = tf.mul(dP, drop);
        // softmax's gradient, and the scale: dS = scale · p (dP − Σ dP p)
        const dS = tf.mul(tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true))), scale);
        const dQ = matmul(dS, k);
        const dK = matmul(dS, q, true, false);
        const dqkv = tf.concat([merge(dQ), merge(dK), merge(dV)], 1); // (B·T, 3C)
        return [tf.matMul(dqkv, w), weightGrad(dqkv, x), colSum(dqkv)];
      },
    };
  });
  return f(x, w, b) as tf.Tensor2D;
}

/** x @ Wᵀ + b, one fused kernel (the bias rides in XNNPACK's or WebGPU's matmul). */
function linearValue(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor | null): tf.Tensor2D {
  const bias = b ?? undefined;
  if (onWebGPU()) return gpu.matMul(x, w, false, true, b);
  return tf.fused.matMul({ a: x, b: tf.transpose(w) as tf.Tensor2D, bias }) as tf.Tensor2D;
}

// ---- KxyBatchMatMul: batched a @ b on wasm through XNNPACK -------------------------------------------

// tfjs-wasm sends a batched or transposed matmul to a scalar loop (batch_mat_mul_impl.cc, slow_batch_matmul)
// at ~2.5 GFLOP/s; only a single (M, K) @ (K, N) reaches XNNPACK (~30 GFLOP/s here). This kernel calls
// the backend's own BatchMatMul once per batch entry on views: tensor ids registered at offsets inside a's,
// b's and the output's memory, released (not freed) after each call. Where the internals it needs are
// missing (another tfjs version), it falls back to the backend's kernel.
const KXY_BMM = 'KxyBatchMatMul';

interface WasmInternals {
  wasm: { HEAPU8: Uint8Array; cwrap: (name: string, ret: null, args: string[]) => (...a: unknown[]) => void; tfjs: { registerTensor: (id: number, size: number, offset: number) => void; disposeData: (id: number) => void } };
  incRef: (dataId: object) => void;
  dataIdMap: { get: (dataId: object) => { memoryOffset: number } };
  dataIdNextNumber: number;
  makeOutput: (shape: number[], dtype: string) => tf.TensorInfo;
}

const bmmCalls = new WeakMap<object, (...a: unknown[]) => void>();
const shapeBytes = (s: number[]) => new Uint8Array(new Int32Array(s).buffer);

function kxyBatchMatMul({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  const be = backend as WasmInternals;
  const M = a.shape[a.shape.length - 2];
  const K = a.shape[a.shape.length - 1];
  const N = b.shape[b.shape.length - 1];
  const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const outShape = [...(batchA >= batchB ? a.shape : b.shape).slice(0, -2), M, N];
  let call = be.wasm && bmmCalls.get(be.wasm);
  if (!call && typeof be.wasm?.cwrap === 'function' && be.dataIdMap && typeof be.dataIdNextNumber === 'number') {
    call = be.wasm.cwrap('BatchMatMul', null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    bmmCalls.set(be.wasm, call);
  }
  if (!call || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
    const kernel = tf.getKernel('BatchMatMul', 'wasm')!;
    return kernel.kernelFunc({ inputs: { a, b }, backend: backend as tf.KernelBackend, attrs: { transposeA: false, transposeB: false } }) as tf.TensorInfo;
  }
  const out = be.makeOutput(outShape, 'float32');
  const [ao, bo, oo] = [a, b, out].map((t) => be.dataIdMap.get(t.dataId).memoryOffset);
  const aShape = shapeBytes([1, M, K]);
  const bShape = shapeBytes([1, K, N]);
  const view = (offset: number, size: number) => {
    const id = be.dataIdNextNumber++;
    be.wasm.tfjs.registerTensor(id, size, offset);
    return id;
  };
  for (let i = 0; i < Math.max(batchA, batchB); i++) {
    const av = view(ao + 4 * (batchA === 1 ? 0 : i) * M * K, M * K);
    const bv = view(bo + 4 * (batchB === 1 ? 0 : i) * K * N, K * N);
    const ov = view(oo + 4 * i * M * N, M * N);
    call(av, aShape, 3, bv, bShape, 3, false, false, ov);
    for (const id of [av, bv, ov]) be.wasm.tfjs.disposeData(id); // drops the id (and XNNPACK's packed b), not the memory
  }
  return out;
}

if (!tf.getKernel(KXY_BMM, 'wasm')) tf.registerKernel({ kernelName: KXY_BMM, backendName: 'wasm', kernelFunc: kxyBatchMatMul as unknown as tf.KernelFunc });

// ---- small wasm kernels in JavaScript, on the wasm heap ---------------------------------------------------

/** The backend's internals these kernels use, or null where this tfjs version lacks them. */
function wasmInternals(backend: unknown): WasmInternals | null {
  const be = backend as Partial<WasmInternals>;
  return be?.wasm?.HEAPU8 && be.dataIdMap && typeof be.makeOutput === 'function' && typeof be.incRef === 'function' ? (be as WasmInternals) : null;
}
const heapF32 = (be: WasmInternals, t: tf.TensorInfo, n: number) => new Float32Array(be.wasm.HEAPU8.buffer, be.dataIdMap.get(t.dataId).memoryOffset, n);

const KXY_SPLIT = 'KxySplitFlat';
function kxySplitFlat({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: { sizes: number[] } }): tf.TensorInfo[] {
  const be = backend as WasmInternals;
  let at = be.dataIdMap.get((inputs.x as tf.TensorInfo).dataId).memoryOffset;
  return attrs.sizes.map((n) => {
    const out = be.makeOutput([n], 'float32');
    const to = be.dataIdMap.get(out.dataId).memoryOffset;
    be.wasm.HEAPU8.copyWithin(to, at, at + 4 * n); // after makeOutput: a grown heap has a new buffer
    at += 4 * n;
    return out;
  });
}

// The gradient of the embedding lookup: dW[idx[n]] += dy[n], in order, for dy (N, C) → (V, C). About N·C
// additions, where the one-hot product costs 2·N·V·C FLOPs, a (N, V) one-hot and two transposes.
const KXY_EMBED_GRAD = 'KxyEmbeddingGrad';
function kxyEmbeddingGrad({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs: { V: number } }): tf.TensorInfo {
  const be = backend as WasmInternals;
  const { dy, idx } = inputs as { dy: tf.TensorInfo; idx: tf.TensorInfo };
  const [N, C] = dy.shape;
  const out = be.makeOutput([attrs.V, C], 'float32');
  const dw = heapF32(be, out, attrs.V * C);
  const g = heapF32(be, dy, N * C);
  const ids = new Int32Array(be.wasm.HEAPU8.buffer, be.dataIdMap.get(idx.dataId).memoryOffset, N);
  dw.fill(0);
  for (let n = 0; n < N; n++) {
    const row = ids[n] * C;
    if (!(ids[n] >= 0 && ids[n] < attrs.V)) throw new Error(`token id ${ids[n]} is outside the vocabulary (${attrs.V})`);
    for (let c = 0, o = n * C; c < C; c++) dw[row + c] += g[o + c];
  }
  return out;
}

// tfjs-wasm's Identity copies its input; tfjs clones every tensor a customGrad saves for the backward pass
// with it (55 copies of up to 8 MB in a micro step). Tensors never change in place, so sharing the data, as
// tfjs's cpu backend and wasm's own Reshape do, is the same result.
function sharedIdentity({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const x = inputs.x as tf.TensorInfo;
  (backend as WasmInternals).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

for (const [kernelName, kernelFunc] of [[KXY_SPLIT, kxySplitFlat], [KXY_EMBED_GRAD, kxyEmbeddingGrad]] as const) {
  if (!tf.getKernel(kernelName, 'wasm')) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}
const SHARED = Symbol.for('kxy.sharedIdentity'); // once, even if this module is loaded twice
const wasmIdentity = tf.getKernel('Identity', 'wasm');
if (wasmIdentity && !(SHARED in wasmIdentity.kernelFunc)) {
  const copy = wasmIdentity.kernelFunc;
  const kernelFunc = (args: { inputs: tf.NamedTensorInfoMap; backend: unknown }) => ((args.inputs.x as tf.TensorInfo).dtype === 'string' || !wasmInternals(args.backend) ? copy(args as never) : sharedIdentity(args));
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: Object.assign(kernelFunc, { [SHARED]: true }) as unknown as tf.KernelFunc });
}
