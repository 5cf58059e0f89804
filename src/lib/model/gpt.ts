// The GPT, with nanoGPT's semantics and state_dict names, in TensorFlow.js. Read top to bottom:
// parameters → initialisation → layers → forward → loss → next-token distribution.
// Weights are PyTorch-layout (out, in) matrices used as x @ Wᵀ, so an export loads into nanoGPT as it is.
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config.ts';
import { Rng, deriveSeed } from '../rng.ts';

export type ModelConfig = Pick<RunConfig, 'vocabSize' | 'blockSize' | 'nLayer' | 'nHead' | 'nEmbd' | 'dropout'>;

/** One flat record of the model's tensors, keyed by nanoGPT's state_dict names. */
export type Params = Record<string, tf.Variable>;
/** The same on the CPU side: initial weights, checkpoints, exports. */
export type Weights = Record<string, Float32Array>;

/** How the token embedding is looked up: a gather (fast), or one-hot × matrix where a backend lacks the gather's gradient. */
export type EmbedMode = 'gather' | 'onehot';

export interface ForwardOptions {
  train?: boolean; // dropout on; scoring always passes false
  embed?: EmbedMode;
  seed?: number; // dropout masks are drawn from seed, seed + 1, … so a run repeats exactly
}

// ---- parameters ---------------------------------------------------------------------------------

/** Every parameter's name and shape, in state_dict order. The output head is tied to wte. */
export function paramShapes(cfg: ModelConfig): [string, number[]][] {
  const { vocabSize: V, blockSize: T, nEmbd: C } = cfg;
  const shapes: [string, number[]][] = [
    ['transformer.wte.weight', [V, C]], // token embedding; also lm_head.weight (tied)
    ['transformer.wpe.weight', [T, C]], // learned position embedding
  ];
  for (let i = 0; i < cfg.nLayer; i++) {
    const h = `transformer.h.${i}.`;
    shapes.push(
      [h + 'ln_1.weight', [C]], // (C)
      [h + 'ln_1.bias', [C]], // (C)
      [h + 'attn.c_attn.weight', [3 * C, C]], // (3C, C): q, k, v stacked
      [h + 'attn.c_attn.bias', [3 * C]], // (3C)
      [h + 'attn.c_proj.weight', [C, C]], // (C, C)
      [h + 'attn.c_proj.bias', [C]], // (C)
      [h + 'ln_2.weight', [C]], // (C)
      [h + 'ln_2.bias', [C]], // (C)
      [h + 'mlp.c_fc.weight', [4 * C, C]], // (4C, C)
      [h + 'mlp.c_fc.bias', [4 * C]], // (4C)
      [h + 'mlp.c_proj.weight', [C, 4 * C]], // (C, 4C)
      [h + 'mlp.c_proj.bias', [C]], // (C)
    );
  }
  shapes.push(
    ['transformer.ln_f.weight', [C]], // (C)
    ['transformer.ln_f.bias', [C]], // (C)
  );
  return shapes;
}

/** nanoGPT's initialisation, drawn on the CPU from the seed, so every backend and every run starts identical. */
export function initWeights(cfg: ModelConfig, seed: number): Weights {
  const rng = new Rng(deriveSeed(seed, 'init'));
  const weights: Weights = {};
  for (const [name, shape] of paramShapes(cfg)) {
    const w = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.endsWith('ln_1.weight') || name.endsWith('ln_2.weight') || name.endsWith('ln_f.weight')) w.fill(1);
    else if (shape.length === 2) {
      // residual projections get 0.02/sqrt(2 L), as in GPT-2
      const std = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * cfg.nLayer) : 0.02;
      for (let i = 0; i < w.length; i++) w[i] = std * rng.normal();
    } // biases stay 0
    weights[name] = w;
  }
  return weights;
}

export function createParams(cfg: ModelConfig, weights: Weights): Params {
  const params: Params = {};
  for (const [name, shape] of paramShapes(cfg)) {
    const w = weights[name];
    if (!w) throw new Error(`missing weight ${name}`);
    const initial = tf.tensor(w, shape, 'float32');
    params[name] = tf.variable(initial, true); // shares the data, so the initial tensor can go
    initial.dispose();
  }
  return params;
}

/** Copies the parameters to the CPU. // sync point */
export async function readWeights(params: Params): Promise<Weights> {
  const out: Weights = {};
  for (const [name, v] of Object.entries(params)) out[name] = (await v.data()) as Float32Array;
  return out;
}

export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v.dispose();
}

// ---- layers -------------------------------------------------------------------------------------

/** Swaps the last two axes. */
function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(t, perm);
}

/** a @ b, batched over leading axes, with a gradient that also multiplies untransposed matrices:
 *  tfjs-wasm's transposed-operand paths run 8–19× slower than its plain one (bench/matmul.ts). */
const mm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, [sa, sb]: tf.Tensor[]) => [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)],
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/** x @ Wᵀ + b for x of shape (N, in), W of shape (out, in). */
function linear(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  return tf.add(mm(x, tf.transpose(w)), b);
}

function layerNorm(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), w), b);
}

/** GELU, tanh approximation (GPT-2's). */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.mul(x, x)))));
  return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
}

// tfjs draws dropout masks on the CPU, so dropout is slow on a GPU; the presets use none.
let dropoutSeed = 0;
function dropout(x: tf.Tensor, rate: number, train: boolean): tf.Tensor {
  return train && rate > 0 ? tf.dropout(x, rate, undefined, dropoutSeed++) : x;
}

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

function attention(p: Params, h: string, x: tf.Tensor2D, B: number, T: number, cfg: ModelConfig, train: boolean): tf.Tensor2D {
  const C = cfg.nEmbd;
  const nh = cfg.nHead;
  const hs = C / nh;
  const qkv = linear(x, p[h + 'attn.c_attn.weight'], p[h + 'attn.c_attn.bias']); // (B*T, 3C)
  const heads = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [B, T, nh, hs]), [0, 2, 1, 3]); // (B, nh, T, hs)
  const [q, k, v] = tf.split(qkv, 3, 1).map(heads);
  let att = tf.mul(mm(q, swapLast(k)), 1 / Math.sqrt(hs)); // (B, nh, T, T)
  att = tf.softmax(tf.add(att, causalMask(T)));
  att = dropout(att, cfg.dropout, train);
  const y = mm(att, v); // (B, nh, T, hs)
  const merged = tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [B * T, C]) as tf.Tensor2D; // (B*T, C)
  return dropout(linear(merged, p[h + 'attn.c_proj.weight'], p[h + 'attn.c_proj.bias']), cfg.dropout, train) as tf.Tensor2D;
}

function mlp(p: Params, h: string, x: tf.Tensor2D, cfg: ModelConfig, train: boolean): tf.Tensor2D {
  const hidden = gelu(linear(x, p[h + 'mlp.c_fc.weight'], p[h + 'mlp.c_fc.bias'])) as tf.Tensor2D; // (B*T, 4C)
  return dropout(linear(hidden, p[h + 'mlp.c_proj.weight'], p[h + 'mlp.c_proj.bias']), cfg.dropout, train) as tf.Tensor2D; // (B*T, C)
}

function embed(wte: tf.Tensor, idx: tf.Tensor2D, V: number, mode: EmbedMode): tf.Tensor2D {
  const flat = tf.reshape(idx, [-1]) as tf.Tensor1D; // (B*T)
  // wasm has no UnsortedSegmentSum, the gradient of gather; one-hot × matrix needs only a matmul.
  if (mode === 'onehot') return mm(tf.cast(tf.oneHot(flat, V), 'float32'), wte) as tf.Tensor2D; // (B*T, C)
  return tf.gather(wte, flat) as tf.Tensor2D; // (B*T, C)
}

// ---- forward ------------------------------------------------------------------------------------

/** Logits for every position: idx (B, T) int32 → (B, T, V). */
export function forward(p: Params, cfg: ModelConfig, idx: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
  const train = opts.train ?? false;
  dropoutSeed = opts.seed ?? 0;
  const [B, T] = idx.shape;
  const C = cfg.nEmbd;
  const V = cfg.vocabSize;
  if (T > cfg.blockSize) throw new Error(`sequence of ${T} tokens is longer than the context (${cfg.blockSize})`);
  const wte = p['transformer.wte.weight'];
  const pos = tf.slice(p['transformer.wpe.weight'], [0, 0], [T, C]); // (T, C)
  const tok = tf.reshape(embed(wte, idx, V, opts.embed ?? 'gather'), [B, T, C]); // (B, T, C)
  let x = tf.reshape(dropout(tf.add(tok, pos), cfg.dropout, train), [B * T, C]) as tf.Tensor2D; // (B*T, C)
  for (let i = 0; i < cfg.nLayer; i++) {
    const h = `transformer.h.${i}.`;
    x = tf.add(x, attention(p, h, layerNorm(x, p[h + 'ln_1.weight'], p[h + 'ln_1.bias']) as tf.Tensor2D, B, T, cfg, train));
    x = tf.add(x, mlp(p, h, layerNorm(x, p[h + 'ln_2.weight'], p[h + 'ln_2.bias']) as tf.Tensor2D, cfg, train));
  }
  x = layerNorm(x, p['transformer.ln_f.weight'], p['transformer.ln_f.bias']) as tf.Tensor2D;
  const logits = mm(x, tf.transpose(wte)); // (B*T, V): the head is wteᵀ
  return tf.reshape(logits, [B, T, V]);
}

// ---- cost ---------------------------------------------------------------------------------------

/** Matmul FLOPs (2 per multiply-add) of one training step on B windows of T tokens, as the model is written
 *  above: per token and layer, qkv 2·3C², scores 2·T·C, att·v 2·T·C, c_proj 2·C², c_fc 2·4C², mlp c_proj 2·4C²;
 *  the head 2·C·V. The full (T, T) score matrix is computed, masked or not. Backward does each matmul twice
 *  (both operands' gradients), so a step is 3× the forward. The embedding is a lookup (0 FLOPs); elementwise
 *  ops are left out. Equal to nanoGPT's estimate_mfu (6N + 12·L·C·T per token) less the bias and LayerNorm terms. */
export function flopsPerStep(cfg: ModelConfig, B: number, T: number = cfg.blockSize): { forward: number; step: number } {
  const { nEmbd: C, nLayer: L, vocabSize: V } = cfg;
  const perToken = L * (2 * 3 * C * C + 2 * T * C + 2 * T * C + 2 * C * C + 2 * 4 * C * C + 2 * 4 * C * C) + 2 * C * V;
  const forward = B * T * perToken;
  return { forward, step: 3 * forward };
}

// ---- loss ---------------------------------------------------------------------------------------

/** Cross-entropy of each target in nats, from logSoftmax (never log of softmax): (B, T). */
export function tokenNll(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  const V = logits.shape[2];
  const logp = tf.logSoftmax(logits); // (B, T, V)
  return tf.neg(tf.sum(tf.mul(logp, tf.cast(tf.oneHot(targets, V), 'float32')), -1)) as tf.Tensor2D;
}

// ---- next-token distribution ------------------------------------------------------------------------

/** Logits for the token after `context` (its last blockSize tokens). // sync point: sampling */
export async function nextTokenLogits(p: Params, cfg: ModelConfig, context: ArrayLike<number>, embedMode: EmbedMode = 'gather'): Promise<Float32Array> {
  const ctx = Array.from(context).slice(-cfg.blockSize);
  if (ctx.length === 0) throw new Error('sampling needs at least one context token');
  const last = tf.tidy(() => {
    const logits = forward(p, cfg, tf.tensor2d(ctx, [1, ctx.length], 'int32'), { embed: embedMode });
    return tf.reshape(tf.slice(logits, [0, ctx.length - 1, 0], [1, 1, cfg.vocabSize]), [cfg.vocabSize]);
  });
  const data = (await last.data()) as Float32Array;
  last.dispose();
  return data;
}
