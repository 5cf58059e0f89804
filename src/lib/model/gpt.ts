// The GPT, with nanoGPT's semantics and state_dict names, in TensorFlow.js. Read top to bottom:
// parameters → initialisation → layers → forward → loss → next-token distribution.
// Weights are PyTorch-layout (out, in) matrices used as x @ Wᵀ, so an export loads into nanoGPT as it is.
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config.ts';
import { Rng, deriveSeed } from '../rng.ts';
import * as ops from './ops.ts';

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
// linear, layerNorm, gelu, attention, embedding and crossEntropy live in ops.ts: each is one op with a
// hand-written gradient (the formulas are written out there), so a step runs fewer kernels.

// tfjs draws dropout masks on the CPU, so dropout is slow on a GPU; the presets use none.
let dropoutSeed = 0;
function dropout(x: tf.Tensor, rate: number, train: boolean): tf.Tensor {
  return train && rate > 0 ? tf.dropout(x, rate, undefined, dropoutSeed++) : x;
}

// A block is x = x + attn(ln_1(x)); x = x + mlp(ln_2(x)), as nanoGPT's. Each residual add is ops.linearAdd or
// ops.mlpAdd on the second output of ops.layerNormSkip (x itself): on webgpu the add then rides in the
// projection's matmul, and its gradient in LayerNorm's backward kernel. Dropout keeps the plain add.

function attentionResidual(p: Params, h: string, x: tf.Tensor2D, B: number, T: number, cfg: ModelConfig, train: boolean): tf.Tensor2D {
  const [a, skip] = ops.layerNormSkip(x, p[h + 'ln_1.weight'], p[h + 'ln_1.bias']); // (B*T, C) each
  // dropout on the attention weights: a (B, nh, T, T) multiplier of 0 or 1/(1 − p), drawn as tf.dropout would
  const drop = train && cfg.dropout > 0 ? dropout(tf.ones([B, cfg.nHead, T, T]), cfg.dropout, train) : null;
  const y = ops.attention(a, p[h + 'attn.c_attn.weight'], p[h + 'attn.c_attn.bias'], B, T, cfg.nHead, drop); // (B*T, C), heads merged
  const [w, b] = [p[h + 'attn.c_proj.weight'], p[h + 'attn.c_proj.bias']];
  if (train && cfg.dropout > 0) return tf.add(skip, dropout(ops.linear(y, w, b), cfg.dropout, train));
  return ops.linearAdd(skip, y, w, b); // (B*T, C)
}

function mlpResidual(p: Params, h: string, x: tf.Tensor2D, cfg: ModelConfig, train: boolean): tf.Tensor2D {
  const [a, skip] = ops.layerNormSkip(x, p[h + 'ln_2.weight'], p[h + 'ln_2.bias']); // (B*T, C) each
  const [wfc, bfc, wproj, bproj] = ['c_fc.weight', 'c_fc.bias', 'c_proj.weight', 'c_proj.bias'].map((n) => p[h + 'mlp.' + n]);
  if (!(train && cfg.dropout > 0)) return ops.mlpAdd(skip, a, wfc, bfc, wproj, bproj); // (B*T, C)
  const hidden = ops.gelu(ops.linear(a, wfc, bfc)) as tf.Tensor2D; // (B*T, 4C)
  return tf.add(skip, dropout(ops.linear(hidden, wproj, bproj), cfg.dropout, train));
}

function layerNorm(x: tf.Tensor2D, p: Params, name: string): tf.Tensor2D {
  return ops.layerNorm(x, p[name + '.weight'], p[name + '.bias']) as tf.Tensor2D;
}

// ---- forward ------------------------------------------------------------------------------------

/** Logits for every position: idx (B, T) int32 → (B, T, V). */
export function forward(p: Params, cfg: ModelConfig, idx: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
  const train = opts.train ?? false;
  dropoutSeed = opts.seed ?? 0;
  const [B, T] = idx.shape;
  const V = cfg.vocabSize;
  if (T > cfg.blockSize) throw new Error(`sequence of ${T} tokens is longer than the context (${cfg.blockSize})`);
  // token + position embedding, and the head's weight: wte (tied). wasm lacks UnsortedSegmentSum, the
  // gather's gradient, so 'onehot' differentiates the lookup as a matmul
  const flat = tf.reshape(idx, [-1]) as tf.Tensor1D;
  const [x0, head] = ops.embed(p['transformer.wte.weight'], p['transformer.wpe.weight'], flat, B, T, (opts.embed ?? 'gather') === 'onehot');
  let x = dropout(x0, cfg.dropout, train) as tf.Tensor2D; // (B*T, C)
  for (let i = 0; i < cfg.nLayer; i++) {
    const h = `transformer.h.${i}.`;
    x = attentionResidual(p, h, x, B, T, cfg, train);
    x = mlpResidual(p, h, x, cfg, train);
  }
  x = layerNorm(x, p, 'transformer.ln_f');
  const logits = ops.linear(x, head, null); // (B*T, V): the head is wteᵀ
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
  const [B, T, V] = logits.shape;
  const nll = ops.crossEntropy(tf.reshape(logits, [B * T, V]) as tf.Tensor2D, tf.reshape(targets, [B * T]) as tf.Tensor1D); // (B*T)
  return tf.reshape(nll, [B, T]);
}

/** The training loss, mean nll in nats, of (B, T). */
export const meanNll = (nll: tf.Tensor2D): tf.Scalar => ops.meanAll(nll);

/** Σ over each row's targets of nll · mask, (B, T) → (B), in nats: the prequential part of a batch. */
export const maskedRowNll = (nll: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D => ops.maskedRowSum(nll, mask);

/** The z-loss of each position, zLoss · (log Σ exp logits)²: (B, T). Training only, never in a code length. */
export function tokenZLoss(logits: tf.Tensor3D, zLoss: number): tf.Tensor2D {
  const [B, T, V] = logits.shape;
  return tf.reshape(ops.zLoss(tf.reshape(logits, [B * T, V]) as tf.Tensor2D, zLoss), [B, T]);
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
