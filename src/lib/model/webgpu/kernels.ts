// The WGSL kernels of kxy's fused WebGPU step, registered as tfjs kernels (Kxy*) for the 'webgpu' backend:
// causal attention (forward, row statistics, backward), LayerNorm (with a skip output for the residual add),
// token + position embedding, GELU, softmax cross-entropy, the loss's reductions, column sums, the matmul.
// Shapes are baked into each shader (and its key); layers.ts wires them into ops with their gradients.
import type * as tf from '@tensorflow/tfjs';
import { FlatProgram, alias, f, register, run } from './program.ts';

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
const attr = (a: Args, k: string) => (a.attrs as Record<string, number>)[k];

const GELU_A = 2 * Math.sqrt(2 / Math.PI); // sigmoid(2z) with z = sqrt(2/π) (x + 0.044715 x³), as ops.ts
const GELU_B = 0.044715;

// ---- causal self-attention -----------------------------------------------------------------------
// q, k and v are read straight from the stacked projection qkv (B·T, 3C): head h of row t holds
// q at [h·hs, (h+1)·hs), k at C + that, v at 2C + that. One invocation per (batch, head, query row) keeps
// its row of scores in registers with an online softmax: the (T, T) matrix is never written.

function attnDims(a: Args) {
  const [T, nh] = [attr(a, 'T'), attr(a, 'nh')];
  const qkv = a.inputs.qkv as tf.TensorInfo;
  const N = qkv.shape[0];
  const C = qkv.shape[1] / 3;
  return { N, B: N / T, T, nh, C, hs: C / nh, key: `${N},${T},${nh},${C}`, scale: f(1 / Math.sqrt(C / nh)) };
}

// per invocation: b, h, i (query row) and the offsets of its q, k, v and output
const attnHeader = (T: number, nh: number, C: number) => `
  let i = index % ${T};
  let bh = index / ${T};
  let h = bh % ${nh};
  let b = bh / ${nh};
  let row0 = b * ${T};`;

/** y (B·T, C), heads merged = softmax(q kᵀ · scale, causal) v. */
register('KxyAttention', (a) => {
  const { B, T, nh, C, hs, key, scale } = attnDims(a);
  const body = `${attnHeader(T, nh, C)}
    let qo = (row0 + i) * ${3 * C} + h * ${hs};
    var q : array<f32, ${hs}>;
    var acc : array<f32, ${hs}>;
    for (var d = 0; d < ${hs}; d++) { q[d] = qkv[qo + d] * ${scale}; acc[d] = 0.0; }
    var m = -3.0e38;
    var l = 0.0;
    for (var j = 0; j <= i; j++) {
      let ko = (row0 + j) * ${3 * C} + ${C} + h * ${hs};
      var s = 0.0;
      for (var d = 0; d < ${hs}; d++) { s += q[d] * qkv[ko + d]; }
      let mNew = max(m, s);
      let corr = exp(m - mNew);
      let p = exp(s - mNew);
      l = l * corr + p;
      for (var d = 0; d < ${hs}; d++) { acc[d] = acc[d] * corr + p * qkv[ko + ${C} + d]; }
      m = mNew;
    }
    let oo = (row0 + i) * ${C} + h * ${hs};
    for (var d = 0; d < ${hs}; d++) { result[oo + d] = acc[d] / l; }`;
  return run(a.backend, new FlatProgram(`attn_${key}`, ['qkv'], [B * T, C], B * nh * T, body), [a.inputs.qkv as tf.TensorInfo]);
});

/** Per (batch, head, query row): the softmax's log-normaliser and D = dy · y, flat (B·nh·T·2). */
register('KxyAttentionStats', (a) => {
  const { B, T, nh, C, hs, key, scale } = attnDims(a);
  const body = `${attnHeader(T, nh, C)}
    let qo = (row0 + i) * ${3 * C} + h * ${hs};
    var q : array<f32, ${hs}>;
    for (var d = 0; d < ${hs}; d++) { q[d] = qkv[qo + d] * ${scale}; }
    var m = -3.0e38;
    var l = 0.0;
    for (var j = 0; j <= i; j++) {
      let ko = (row0 + j) * ${3 * C} + ${C} + h * ${hs};
      var s = 0.0;
      for (var d = 0; d < ${hs}; d++) { s += q[d] * qkv[ko + d]; }
      let mNew = max(m, s);
      l = l * exp(m - mNew) + exp(s - mNew);
      m = mNew;
    }
    let oo = (row0 + i) * ${C} + h * ${hs};
    var D = 0.0;
    for (var d = 0; d < ${hs}; d++) { D += dy[oo + d] * y[oo + d]; }
    result[2 * index] = m + log(l);
    result[2 * index + 1] = D;`;
  const { qkv, y, dy } = a.inputs as Record<string, tf.TensorInfo>;
  return run(a.backend, new FlatProgram(`attnstats_${key}`, ['qkv', 'y', 'dy'], [B * nh * T * 2], B * nh * T, body), [qkv, y, dy]);
});

/** d qkv (B·T, 3C). The first B·nh·T invocations are query rows (dq), the rest key rows (dk, dv); with
 *  p = exp(s − lse) recomputed, ds = p (dy·v − D): dq = scale Σ_j ds k_j, dk = scale Σ_i ds q_i, dv = Σ_i p dy_i. */
register('KxyAttentionGrad', (a) => {
  const { B, T, nh, C, hs, key, scale } = attnDims(a);
  const BHT = B * nh * T;
  const body = `
    let role = index / ${BHT};
    let r = index % ${BHT};
    let i = r % ${T};
    let bh = r / ${T};
    let h = bh % ${nh};
    let b = bh / ${nh};
    let row0 = b * ${T};
    let head = h * ${hs};
    if (role == 0) {
      // query row i: dq
      let qo = (row0 + i) * ${3 * C} + head;
      let oo = (row0 + i) * ${C} + head;
      let lse = stats[2 * r];
      let D = stats[2 * r + 1];
      var q : array<f32, ${hs}>;
      var g : array<f32, ${hs}>;
      var dq : array<f32, ${hs}>;
      for (var d = 0; d < ${hs}; d++) { q[d] = qkv[qo + d] * ${scale}; g[d] = dy[oo + d]; dq[d] = 0.0; }
      for (var j = 0; j <= i; j++) {
        let ko = (row0 + j) * ${3 * C} + ${C} + head;
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0; d < ${hs}; d++) { s += q[d] * qkv[ko + d]; dp += g[d] * qkv[ko + ${C} + d]; }
        let ds = exp(s - lse) * (dp - D);
        for (var d = 0; d < ${hs}; d++) { dq[d] += ds * qkv[ko + d]; }
      }
      for (var d = 0; d < ${hs}; d++) { result[qo + d] = dq[d] * ${scale}; }
    } else {
      // key row j = i: dk and dv
      let j = i;
      let ko = (row0 + j) * ${3 * C} + ${C} + head;
      var k : array<f32, ${hs}>;
      var v : array<f32, ${hs}>;
      var dk : array<f32, ${hs}>;
      var dv : array<f32, ${hs}>;
      for (var d = 0; d < ${hs}; d++) { k[d] = qkv[ko + d]; v[d] = qkv[ko + ${C} + d]; dk[d] = 0.0; dv[d] = 0.0; }
      for (var qi = j; qi < ${T}; qi++) {
        let qo = (row0 + qi) * ${3 * C} + head;
        let oo = (row0 + qi) * ${C} + head;
        let sr = bh * ${T} + qi;
        var s = 0.0;
        var dp = 0.0;
        for (var d = 0; d < ${hs}; d++) { s += qkv[qo + d] * k[d]; dp += dy[oo + d] * v[d]; }
        let p = exp(s * ${scale} - stats[2 * sr]);
        let ds = p * (dp - stats[2 * sr + 1]);
        for (var d = 0; d < ${hs}; d++) { dv[d] += p * dy[oo + d]; dk[d] += ds * qkv[qo + d]; }
      }
      for (var d = 0; d < ${hs}; d++) { result[ko + d] = dk[d] * ${scale}; result[ko + ${C} + d] = dv[d]; }
    }`;
  const { qkv, dy, stats } = a.inputs as Record<string, tf.TensorInfo>;
  return run(a.backend, new FlatProgram(`attngrad_${key}`, ['qkv', 'dy', 'stats'], [B * T, 3 * C], 2 * BHT, body), [qkv, dy, stats]);
});

// ---- LayerNorm (eps 1e-5), one invocation per row or column ----------------------------------------

const rowStats = (C: number) => `
    let o = index * ${C};
    var mean = 0.0;
    for (var c = 0; c < ${C}; c++) { mean += x[o + c]; }
    mean = mean / ${f(C)};
    var vs = 0.0;
    for (var c = 0; c < ${C}; c++) { let t = x[o + c] - mean; vs += t * t; }
    let rstd = inverseSqrt(vs / ${f(C)} + 1e-5);`;

/** y = (x − mean) · rstd · w + b per row of x (N, C). */
function layerNormProgram(a: Args): tf.TensorInfo {
  const { x, w, b } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, C] = x.shape;
  const body = `${rowStats(C)}
    for (var c = 0; c < ${C}; c++) { result[o + c] = (x[o + c] - mean) * rstd * w[c] + b[c]; }`;
  return run(a.backend, new FlatProgram(`ln_${N},${C}`, ['x', 'w', 'b'], [N, C], N, body), [x, w, b]);
}
register('KxyLayerNorm', layerNormProgram);

/** [LayerNorm(x), x]: the second output shares x's buffer (no copy). The residual add reads it, so its
 *  gradient comes back to this kernel's gradient, which adds it inside LayerNorm's backward kernel. */
register('KxyLayerNormSkip', (a) => [layerNormProgram(a), alias(a.backend, a.inputs.x as tf.TensorInfo)]);

// ---- token and position embedding ------------------------------------------------------------------

/** [wte[idx] + wpe[n mod T], wte] for idx (N): the second output shares wte's buffer, for the tied head,
 *  so the head's weight gradient arrives in this kernel's gradient and is summed in KxyEmbedGrad. */
register('KxyEmbed', (a) => {
  const { wte, wpe, idx } = a.inputs as Record<string, tf.TensorInfo>;
  const T = attr(a, 'T');
  const [V, C] = wte.shape;
  const N = idx.shape[0];
  const body = `
    let n = index / ${C};
    let c = index % ${C};
    let tok = idx[n];
    let inVocab = tok >= 0 && tok < ${V};
    result[index] = select(0.0, wte[select(0, tok, inVocab) * ${C} + c], inVocab) + wpe[(n % ${T}) * ${C} + c];`;
  const x = run(a.backend, new FlatProgram(`embed_${N},${V},${C},${T}`, ['wte', 'wpe', 'idx'], [N, C], N * C, body), [wte, wpe, idx]);
  return [x, alias(a.backend, wte)];
});

/** d wte (V, C) = dhead + Σ over rows n with idx[n] = v of dy[n]: one invocation per (token, W columns),
 *  scanning idx in order (no atomics: float atomics are not in WGSL). */
register('KxyEmbedGrad', (a) => {
  const { dy, idx, dhead } = a.inputs as Record<string, tf.TensorInfo>;
  const [V, C] = dhead.shape;
  const N = idx.shape[0];
  const W = [16, 8, 4, 2, 1].find((w) => C % w === 0)!;
  const body = `
    let v = index / ${C / W};
    let c0 = (index % ${C / W}) * ${W};
    var acc : array<f32, ${W}>;
    for (var j = 0; j < ${W}; j++) { acc[j] = dhead[v * ${C} + c0 + j]; }
    for (var n = 0; n < ${N}; n++) {
      if (idx[n] == v) { for (var j = 0; j < ${W}; j++) { acc[j] += dy[n * ${C} + c0 + j]; } }
    }
    for (var j = 0; j < ${W}; j++) { result[v * ${C} + c0 + j] = acc[j]; }`;
  return run(a.backend, new FlatProgram(`embedgrad_${N},${V},${C}`, ['dy', 'idx', 'dhead'], [V, C], (V * C) / W, body), [dy, idx, dhead]);
});

/** d wpe (Tmax, C): Σ over the batch of dy at position t, zero for t ≥ T. */
register('KxyPosGrad', (a) => {
  const dy = a.inputs.dy as tf.TensorInfo;
  const [T, Tmax] = [attr(a, 'T'), attr(a, 'Tmax')];
  const [N, C] = dy.shape;
  const body = `
    let t = index / ${C};
    let c = index % ${C};
    var s = 0.0;
    if (t < ${T}) { for (var b = 0; b < ${N / T}; b++) { s += dy[(b * ${T} + t) * ${C} + c]; } }
    result[index] = s;`;
  return run(a.backend, new FlatProgram(`posgrad_${N},${C},${T},${Tmax}`, ['dy'], [Tmax, C], Tmax * C, body), [dy]);
});

/** dx = rstd · (g − mean(g) − x̂ · mean(g · x̂)), g = dy · w, per row, the row's mean and rstd recomputed
 *  here (a pass over C values) rather than read from a kernel of their own; plus dres (the residual
 *  stream's own gradient) where given, so that sum costs no separate add. */
register('KxyLayerNormGrad', (a) => {
  const { x, w, dy, dres } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, C] = x.shape;
  const body = `${rowStats(C)}
    var sg = 0.0;
    var sgx = 0.0;
    for (var c = 0; c < ${C}; c++) { let g = dy[o + c] * w[c]; sg += g; sgx += g * (x[o + c] - mean) * rstd; }
    sg = sg / ${f(C)};
    sgx = sgx / ${f(C)};
    for (var c = 0; c < ${C}; c++) {
      let xh = (x[o + c] - mean) * rstd;
      result[o + c] = rstd * (dy[o + c] * w[c] - sg - xh * sgx)${dres ? ' + dres[o + c]' : ''};
    }`;
  const names = dres ? ['x', 'w', 'dy', 'dres'] : ['x', 'w', 'dy'];
  return run(a.backend, new FlatProgram(`lngrad_${N},${C},${!!dres}`, names, [N, C], N, body), dres ? [x, w, dy, dres] : [x, w, dy]);
});

const LNW_GROUP = 64;

/** dw = Σ_rows dy · x̂, per column. Each workgroup takes 64 columns and walks the rows 64 at a time: its
 *  invocations first find one row's mean and rstd each (into workgroup memory), then every column sums
 *  over those rows, so no kernel of its own computes the row statistics. */
register('KxyLayerNormWeightGrad', (a) => {
  const { x, dy } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, C] = x.shape;
  const G = LNW_GROUP;
  const body = `
    let lane = index % ${G};
    var acc = 0.0;
    for (var r0 = 0; r0 < ${N}; r0 += ${G}) {
      let row = r0 + lane;
      if (row < ${N}) {
        let o = row * ${C};
        var mean = 0.0;
        for (var c = 0; c < ${C}; c++) { mean += x[o + c]; }
        mean = mean / ${f(C)};
        var vs = 0.0;
        for (var c = 0; c < ${C}; c++) { let t = x[o + c] - mean; vs += t * t; }
        st[lane] = vec2<f32>(mean, inverseSqrt(vs / ${f(C)} + 1e-5));
      }
      workgroupBarrier();
      if (index < ${C}) {
        for (var j = 0; j < min(${G}, ${N} - r0); j++) {
          let e = (r0 + j) * ${C} + index;
          acc += dy[e] * (x[e] - st[j].x) * st[j].y;
        }
      }
      workgroupBarrier();
    }
    if (index < ${C}) { result[index] = acc; }`;
  const p = new FlatProgram(`lnwgrad_${N},${C}`, ['x', 'dy'], [C], Math.ceil(C / G) * G, body, undefined, G);
  p.prelude = `var<workgroup> st : array<vec2<f32>, ${G}>;`;
  return run(a.backend, p, [x, dy]);
});

/** Σ over rows of (N, C) → (C). */
register('KxyColSum', (a) => {
  const { x } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, C] = x.shape;
  const body = `
    var s = 0.0;
    for (var r = 0; r < ${N}; r++) { s += x[r * ${C} + index]; }
    result[index] = s;`;
  return run(a.backend, new FlatProgram(`colsum_${N},${C}`, ['x'], [C], C, body), [x]);
});

// ---- GELU (tanh form, as x · sigmoid(2z)), elementwise ---------------------------------------------

const geluS = `let x2 = xv * xv; let s = 1.0 / (1.0 + exp(-xv * (${f(GELU_A)} + ${f(GELU_A * GELU_B)} * x2)));`;

register('KxyGelu', (a) => {
  const { x } = a.inputs as Record<string, tf.TensorInfo>;
  const n = x.shape.reduce((p, q) => p * q, 1);
  const body = `let xv = x[index]; ${geluS} result[index] = xv * s;`;
  return run(a.backend, new FlatProgram(`gelu_${n}`, ['x'], x.shape, n, body), [x]);
});

/** dx = dy · (s + x · s (1 − s) · A (1 + 3B x²)). */
register('KxyGeluGrad', (a) => {
  const { x, dy } = a.inputs as Record<string, tf.TensorInfo>;
  const n = x.shape.reduce((p, q) => p * q, 1);
  const body = `let xv = x[index]; ${geluS}
    result[index] = dy[index] * (s + xv * s * (1.0 - s) * (${f(GELU_A)} + ${f(3 * GELU_A * GELU_B)} * x2));`;
  return run(a.backend, new FlatProgram(`gelugrad_${n}`, ['x', 'dy'], x.shape, n, body), [x, dy]);
});

// ---- softmax cross-entropy, one invocation per row ---------------------------------------------------

const rowLse = (V: number) => `
    let o = index * ${V};
    var m = -3.0e38;
    for (var v = 0; v < ${V}; v++) { m = max(m, logits[o + v]); }
    var s = 0.0;
    for (var v = 0; v < ${V}; v++) { s += exp(logits[o + v] - m); }
    let lse = m + log(s);`;

/** nll = log Σ exp(logits) − logits[target] per row, (N). */
register('KxyCrossEntropy', (a) => {
  const { logits, targets } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, V] = logits.shape;
  const body = `${rowLse(V)}
    result[index] = lse - logits[o + targets[index]];`;
  return run(a.backend, new FlatProgram(`ce_${N},${V}`, ['logits', 'targets'], [N], N, body), [logits, targets]);
});

/** d logits = (softmax − onehot(target)) · dy per row, (N, V). */
register('KxyCrossEntropyGrad', (a) => {
  const { logits, targets, dy } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, V] = logits.shape;
  const body = `${rowLse(V)}
    let t = targets[index];
    let g = dy[index];
    for (var v = 0; v < ${V}; v++) { result[o + v] = (exp(logits[o + v] - lse) - select(0.0, 1.0, v == t)) * g; }`;
  return run(a.backend, new FlatProgram(`cegrad_${N},${V}`, ['logits', 'targets', 'dy'], [N, V], N, body), [logits, targets, dy]);
});

// ---- the loss's reductions ----------------------------------------------------------------------------

/** Σ_t x · mask per row of (B, T) → (B): the prequential part of a batch's nll. */
register('KxyMaskedRowSum', (a) => {
  const { x, mask } = a.inputs as Record<string, tf.TensorInfo>;
  const [B, T] = x.shape;
  const body = `
    var s = 0.0;
    for (var t = 0; t < ${T}; t++) { s += x[index * ${T} + t] * mask[index * ${T} + t]; }
    result[index] = s;`;
  return run(a.backend, new FlatProgram(`maskrowsum_${B},${T}`, ['x', 'mask'], [B], B, body), [x, mask]);
});

/** v[0] · scale in every element of `shape`: the gradient of a mean. */
register('KxyFill', (a) => {
  const v = a.inputs.v as tf.TensorInfo;
  const { shape, scale } = a.attrs as { shape: number[]; scale: number };
  const n = shape.reduce((p, q) => p * q, 1);
  return run(a.backend, new FlatProgram(`fill_${n},${f(scale)}`, ['v'], shape, n, `result[index] = v[0] * ${f(scale)};`), [v]);
});

/** z · lse² per row, (N): the z-loss. */
register('KxyZLoss', (a) => {
  const { logits } = a.inputs as Record<string, tf.TensorInfo>;
  const { z } = a.attrs as { z: number };
  const [N, V] = logits.shape;
  const body = `${rowLse(V)}
    result[index] = ${f(z)} * lse * lse;`;
  return run(a.backend, new FlatProgram(`zloss_${N},${V},${z}`, ['logits'], [N], N, body), [logits]);
});

/** d logits = 2z · lse · softmax · dy per row, (N, V). */
register('KxyZLossGrad', (a) => {
  const { logits, dy } = a.inputs as Record<string, tf.TensorInfo>;
  const { z } = a.attrs as { z: number };
  const [N, V] = logits.shape;
  const body = `${rowLse(V)}
    let g = ${f(2 * z)} * lse * dy[index];
    for (var v = 0; v < ${V}; v++) { result[o + v] = exp(logits[o + v] - lse) * g; }`;
  return run(a.backend, new FlatProgram(`zlossgrad_${N},${V},${z}`, ['logits', 'dy'], [N, V], N, body), [logits, dy]);
});

// ---- matmul without workgroup memory --------------------------------------------------------------

/** a @ b (2-D, either transposed) + optional bias over columns + optional resid (M, N), the residual stream;
 *  then GELU of that (attr gelu), or times GELU'(z) (GELU's backward, fused into the product that makes its
 *  dy), with z given (preact, M × N) or recomputed here as A2 @ B2ᵀ + bias2 (a second product over the same
 *  output block, so the forward need not keep z). One invocation per 4 × 4 block of the output,
 *  accumulating in registers over the shared dimension. */
register('KxyMatMul', (a) => {
  const { a: A, b: Bm, bias, resid, preact, A2, B2, bias2 } = a.inputs as Record<string, tf.TensorInfo>;
  const { ta, tb, gelu } = a.attrs as { ta: boolean; tb: boolean; gelu?: boolean };
  const K2 = A2 ? A2.shape[1] : 0;
  const [M, K] = ta ? [A.shape[1], A.shape[0]] : A.shape;
  const N = tb ? Bm.shape[0] : Bm.shape[1];
  const [lda, ldb] = [A.shape[1], Bm.shape[1]];
  // f32(): a float tensor can sit on an int32 buffer (tfjs's Cast from int32 shares it)
  const aAt = (r: string, kk: string) => (ta ? `f32(A[(${kk}) * ${lda} + (${r})])` : `f32(A[(${r}) * ${lda} + (${kk})])`);
  const bAt = (kk: string, c: string) => (tb ? `f32(Bm[(${c}) * ${ldb} + (${kk})])` : `f32(Bm[(${kk}) * ${ldb} + (${c})])`);
  const [mb, nb] = [Math.ceil(M / 4), Math.ceil(N / 4)];
  const body = `
    let r0 = (index / ${nb}) * 4;
    let c0 = (index % ${nb}) * 4;
    var acc : array<vec4<f32>, 4>;
    for (var i = 0; i < 4; i++) { acc[i] = vec4<f32>(0.0); }
    var rr : array<i32, 4>;
    for (var i = 0; i < 4; i++) { rr[i] = min(r0 + i, ${M - 1}); }
    let cc = vec4<i32>(min(c0, ${N - 1}), min(c0 + 1, ${N - 1}), min(c0 + 2, ${N - 1}), min(c0 + 3, ${N - 1}));
    for (var k = 0; k < ${K}; k++) {
      let bv = vec4<f32>(${bAt('k', 'cc.x')}, ${bAt('k', 'cc.y')}, ${bAt('k', 'cc.z')}, ${bAt('k', 'cc.w')});
      for (var i = 0; i < 4; i++) { acc[i] += ${aAt('rr[i]', 'k')} * bv; }
    }
    ${bias ? `let bb = vec4<f32>(f32(bias[cc.x]), f32(bias[cc.y]), f32(bias[cc.z]), f32(bias[cc.w]));` : ''}
    ${!A2 ? '' : `
    var z : array<vec4<f32>, 4>;
    for (var i = 0; i < 4; i++) { z[i] = vec4<f32>(bias2[cc.x], bias2[cc.y], bias2[cc.z], bias2[cc.w]); }
    for (var k = 0; k < ${K2}; k++) {
      let bv = vec4<f32>(B2[cc.x * ${K2} + k], B2[cc.y * ${K2} + k], B2[cc.z * ${K2} + k], B2[cc.w * ${K2} + k]);
      for (var i = 0; i < 4; i++) { z[i] += A2[rr[i] * ${K2} + k] * bv; }
    }`}
    for (var i = 0; i < 4; i++) {
      let r = r0 + i;
      if (r < ${M}) {
        let o = acc[i]${bias ? ' + bb' : ''};
        for (var j = 0; j < 4; j++) {
          let e = r * ${N} + c0 + j;
          if (c0 + j < ${N}) {
            var v = o[j];
            ${resid ? 'v += resid[e];' : ''}
            ${gelu ? `{ let xv = v; ${geluS} v = xv * s; }` : ''}
            ${preact || A2 ? `{ let xv = ${A2 ? 'z[i][j]' : 'preact[e]'}; ${geluS} v *= s + xv * s * (1.0 - s) * (${f(GELU_A)} + ${f(3 * GELU_A * GELU_B)} * x2); }` : ''}
            result[e] = v;
          }
        }
      }
    }`;
  const named = Object.entries({ A, Bm, bias, resid, preact, A2, B2, bias2 }).filter(([, t]) => t != null) as [string, tf.TensorInfo][];
  const key = `mm_${M},${N},${K},${ta},${tb},${!!gelu},${K2},${named.map(([n]) => n).join('')}`;
  const prog = new FlatProgram(key, named.map(([n]) => n), [M, N], mb * nb, body);
  return run(a.backend, prog, named.map(([, t]) => t));
});
