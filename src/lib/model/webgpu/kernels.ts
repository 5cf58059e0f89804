// The WGSL kernels of kxy's fused WebGPU step, registered as tfjs kernels (Kxy*) for the 'webgpu' backend:
// causal attention (forward, row statistics, backward), LayerNorm, GELU, softmax cross-entropy, column sums.
// Shapes are baked into each shader (and its key); layers.ts wires them into ops with their gradients.
import type * as tf from '@tensorflow/tfjs';
import { FlatProgram, f, register, run } from './program.ts';

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
register('KxyLayerNorm', (a) => {
  const { x, w, b } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, C] = x.shape;
  const body = `${rowStats(C)}
    for (var c = 0; c < ${C}; c++) { result[o + c] = (x[o + c] - mean) * rstd * w[c] + b[c]; }`;
  return run(a.backend, new FlatProgram(`ln_${N},${C}`, ['x', 'w', 'b'], [N, C], N, body), [x, w, b]);
});

/** Per row: mean and rstd, flat (N·2). */
register('KxyLayerNormStats', (a) => {
  const { x } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, C] = x.shape;
  const body = `${rowStats(C)}
    result[2 * index] = mean;
    result[2 * index + 1] = rstd;`;
  return run(a.backend, new FlatProgram(`lnstats_${N},${C}`, ['x'], [N * 2], N, body), [x]);
});

/** dx = rstd · (g − mean(g) − x̂ · mean(g · x̂)), g = dy · w, per row. */
register('KxyLayerNormGrad', (a) => {
  const { x, w, dy, stats } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, C] = x.shape;
  const body = `
    let o = index * ${C};
    let mean = stats[2 * index];
    let rstd = stats[2 * index + 1];
    var sg = 0.0;
    var sgx = 0.0;
    for (var c = 0; c < ${C}; c++) { let g = dy[o + c] * w[c]; sg += g; sgx += g * (x[o + c] - mean) * rstd; }
    sg = sg / ${f(C)};
    sgx = sgx / ${f(C)};
    for (var c = 0; c < ${C}; c++) {
      let xh = (x[o + c] - mean) * rstd;
      result[o + c] = rstd * (dy[o + c] * w[c] - sg - xh * sgx);
    }`;
  return run(a.backend, new FlatProgram(`lngrad_${N},${C}`, ['x', 'w', 'dy', 'stats'], [N, C], N, body), [x, w, dy, stats]);
});

/** dw = Σ_rows dy · x̂, per column. */
register('KxyLayerNormWeightGrad', (a) => {
  const { x, dy, stats } = a.inputs as Record<string, tf.TensorInfo>;
  const [N, C] = x.shape;
  const body = `
    var s = 0.0;
    for (var r = 0; r < ${N}; r++) { s += dy[r * ${C} + index] * (x[r * ${C} + index] - stats[2 * r]) * stats[2 * r + 1]; }
    result[index] = s;`;
  return run(a.backend, new FlatProgram(`lnwgrad_${N},${C}`, ['x', 'dy', 'stats'], [C], C, body), [x, dy, stats]);
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

/** a @ b (2-D, either transposed) + optional bias over columns: one invocation per 4 × 4 block of the
 *  output, accumulating in registers over the shared dimension; no barriers. */
register('KxyMatMul', (a) => {
  const { a: A, b: Bm, bias } = a.inputs as Record<string, tf.TensorInfo>;
  const { ta, tb } = a.attrs as { ta: boolean; tb: boolean };
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
    for (var i = 0; i < 4; i++) {
      let r = r0 + i;
      if (r < ${M}) {
        let o = acc[i]${bias ? ' + bb' : ''};
        for (var j = 0; j < 4; j++) { if (c0 + j < ${N}) { result[r * ${N} + c0 + j] = o[j]; } }
      }
    }`;
  const inputs = bias ? [A, Bm, bias] : [A, Bm];
  const prog = new FlatProgram(`mm_${M},${N},${K},${ta},${tb},${!!bias}`, bias ? ['A', 'Bm', 'bias'] : ['A', 'Bm'], [M, N], mb * nb, body);
  return run(a.backend, prog, inputs);
});
