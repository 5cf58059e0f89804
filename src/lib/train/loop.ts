// The training loop: one run = one model trained on its stream of windows. train() is an async generator
// of events; it knows nothing of workers, terminals or the DOM. Each window is scored before the update that
// trains on it, which gives the prequential code length; validation uses fixed windows per source.
import * as tf from '@tensorflow/tfjs';
import { evalInterval, type RunConfig } from '../config.ts';
import { PrequentialLedger, StreamPlan, evalWindowStarts, gatherWindows, type Dataset, type WindowRef } from '../data/batches.ts';
import { emptyCode, emptyTrace, natsToBits, type CodeLength, type CodeTrace } from '../metrics/bits.ts';
import { createParams, disposeParams, forward, maskedRowNll, meanNll, readWeights, tokenNll, tokenZLoss, type EmbedMode, type Params, type Weights } from '../model/gpt.ts';
import { deriveSeed } from '../rng.ts';
import { AdamW, learningRate, type AdamWState } from './adamw.ts';

// Divergence: a non-finite loss or gradient norm, or a training loss over SPIKE × its smoothed value for
// SPIKE_STEPS steps in a row, rolls the run back to its last good state (kept every GOOD_EVERY steps) with half
// the learning rate; after MAX_ROLLBACKS the run gives up.
export const SPIKE = 2;
export const SPIKE_STEPS = 3;
export const GOOD_EVERY = 50;
export const MAX_ROLLBACKS = 3;

/** A rollback: the windows coded since the good state are dropped from the code and coded again after it.
 *  The code stays decodable (the receiver sees the same losses, so it rolls back at the same step); what the
 *  dropped windows cost before is kept here, so a reader can add it. */
export interface Rollback {
  step: number; // where the divergence was seen
  toStep: number; // the good state it went back to
  reason: string;
  lrScale: number; // the learning rate's factor from now on
  discardedBits: number; // bits the dropped windows had cost (finite part)
}

export interface RunSpec {
  name: string; // 'x', 'y', 'xy', 'x2y', …
  cfg: Readonly<RunConfig>;
  dataset: Dataset;
  trainSources: number[]; // indices into dataset.sources
  evalSources: number[]; // sources validated on (a control text is trained on, never validated)
  init: Weights; // initial weights: the experiment's shared init, or the final weights of the run before
  embed: EmbedMode;
}

export interface ValResult {
  bitsPerToken: number;
  bitsPerByte: number;
  tokens: number; // targets scored
  bytes: number;
}

type BySource<T> = Record<string, T>;

export type TrainEvent =
  | { type: 'start'; run: string; step: number; totalSteps: number; tokensPerStep: number }
  | { type: 'step'; run: string; step: number; totalSteps: number; tokens: number; tokensBySource: BySource<number>; lr: number }
  | {
      type: 'log';
      run: string;
      step: number;
      tokens: number;
      tokensBySource: BySource<number>;
      lossBitsPerToken: number; // mean training loss since the last log (with dropout, if any)
      smoothLossBitsPerToken: number; // exponential moving average over steps
      gradNorm: number; // before clipping, last step
      tokensPerSecond: number; // training tokens over this run's own training time since the last log (evaluation excluded)
      prequential: BySource<CodeLength>; // code length of the windows scored so far
      trace: BySource<TraceChunk>; // the windows coded since the last log, in stream order
    }
  | { type: 'eval'; run: string; step: number; tokens: number; tokensBySource: BySource<number>; val: BySource<ValResult> }
  | { type: 'rollback'; run: string; step: number; rollback: Rollback; rollbacks: number }
  | { type: 'done'; run: string; step: number }
  | { type: 'error'; run: string; step: number; message: string };

/** New entries of a source's CodeTrace: windows from…from+bits.length-1. */
export interface TraceChunk extends CodeTrace {
  from: number;
}

export interface Checkpoint {
  run: string;
  step: number;
  weights: Weights;
  optimizer: AdamWState;
  prequential: BySource<CodeLength>;
  trace: BySource<CodeTrace>;
  tokensBySource: BySource<number>;
  smoothLoss: number;
  lrScale?: number; // < 1 after a rollback
  rollbacks?: Rollback[];
}

interface Pending {
  step: number; // the step this is the result of
  loss: tf.Scalar;
  norm: tf.Scalar;
  rowNll: tf.Tensor1D | null; // masked nats per row, for the prequential code
  rows: ({ source: number; uniformTokens: number; tokens: number; bytes: number } | null)[]; // null: not scored
}

/** Everything one run owns: parameters, optimizer, position in its stream, and its code so far. */
export class Run {
  readonly name: string;
  readonly cfg: Readonly<RunConfig>;
  readonly dataset: Dataset;
  readonly params: Params;
  readonly opt: AdamW;
  readonly plan: StreamPlan;
  readonly embed: EmbedMode;
  readonly evalSources: number[];
  step = 0;
  tokensBySource: BySource<number> = {};
  prequential: BySource<CodeLength> = {};
  trace: BySource<CodeTrace> = {};
  private traceLogged: BySource<number> = {};
  lastVal: BySource<ValResult> | null = null;
  smoothLoss = NaN;
  private ledger: PrequentialLedger;
  lrScale = 1;
  rollbacks: Rollback[] = [];
  diverged: { step: number; reason: string } | null = null; // seen by flush(), handled by train()
  private good: Checkpoint | null = null;
  private spikeSteps = 0;
  private pending: Pending[] = [];
  private interval = { loss: 0, steps: 0, tokens: 0, ms: 0, norm: NaN };

  constructor(spec: RunSpec, resume?: Checkpoint) {
    this.name = spec.name;
    this.cfg = spec.cfg;
    this.dataset = spec.dataset;
    this.embed = spec.embed;
    this.evalSources = spec.evalSources;
    this.plan = new StreamPlan(spec.dataset, spec.trainSources, spec.cfg);
    this.ledger = new PrequentialLedger(spec.dataset, spec.trainSources);
    for (const s of spec.dataset.sources) this.tokensBySource[s.name] = 0;
    for (const s of spec.trainSources) {
      const name = spec.dataset.sources[s].name;
      this.prequential[name] = emptyCode();
      this.trace[name] = emptyTrace();
      this.traceLogged[name] = 0;
    }
    this.params = createParams(spec.cfg, resume ? resume.weights : spec.init);
    this.opt = new AdamW(this.params, spec.cfg);
    if (resume) this.restore(resume);
  }

  get totalSteps(): number {
    return this.plan.totalSteps;
  }

  get tokens(): number {
    return Object.values(this.tokensBySource).reduce((a, b) => a + b, 0);
  }

  private restore(ck: Checkpoint): void {
    if (ck.step > this.plan.totalSteps) throw new Error(`checkpoint at step ${ck.step} is past this run's ${this.plan.totalSteps} steps`);
    this.opt.load(ck.optimizer);
    this.step = ck.step;
    this.tokensBySource = { ...this.tokensBySource, ...ck.tokensBySource };
    this.prequential = { ...this.prequential, ...ck.prequential };
    if (!ck.trace) throw new Error('this checkpoint comes from an older kxy (no per-window code): start the experiment again');
    this.trace = { ...this.trace, ...structuredClone(ck.trace) };
    for (const [k, t] of Object.entries(this.trace)) this.traceLogged[k] = t.bits.length;
    this.smoothLoss = ck.smoothLoss;
    this.lrScale = ck.lrScale ?? 1;
    this.rollbacks = structuredClone(ck.rollbacks ?? []);
    this.replayLedger(ck.step);
  }

  /** Which tokens the code has sent follows from the stream order alone: replay it up to `step`. */
  private replayLedger(step: number): void {
    this.ledger = new PrequentialLedger(this.dataset, this.plan.trainSources);
    const scratch = new Float32Array(this.cfg.blockSize);
    for (let s = 0; s < step; s++) for (const { window, pass } of this.plan.batch(s)) if (pass === 0) this.ledger.claim(window, this.cfg.blockSize, scratch, 0);
  }

  /** Keeps the current state as the one to roll back to. // sync point */
  async keepGood(): Promise<void> {
    this.good = await this.checkpoint();
  }

  get goodStep(): number {
    return this.good?.step ?? -Infinity;
  }

  /** Goes back to the last good state with half the learning rate. Null when it may not (too many
   *  rollbacks, or no good state): the run must stop. */
  rollBack(): Rollback | null {
    const d = this.diverged;
    this.diverged = null;
    const good = this.good;
    if (!d || !good || this.rollbacks.length >= MAX_ROLLBACKS) return null;
    for (const p of this.pending) tf.dispose([p.loss, p.norm, ...(p.rowNll ? [p.rowNll] : [])]);
    this.pending = [];
    let discardedBits = 0;
    for (const [k, t] of Object.entries(this.trace)) {
      for (const b of t.bits.slice(good.trace[k]?.bits.length ?? 0)) if (Number.isFinite(b)) discardedBits += b;
    }
    for (const [name, v] of Object.entries(this.params)) v.assign(tf.tensor(good.weights[name], v.shape, 'float32'));
    this.opt.load(good.optimizer);
    this.step = good.step;
    this.tokensBySource = { ...good.tokensBySource };
    this.prequential = structuredClone(good.prequential);
    this.trace = structuredClone(good.trace);
    for (const [k, t] of Object.entries(this.trace)) this.traceLogged[k] = Math.min(this.traceLogged[k], t.bits.length);
    this.smoothLoss = good.smoothLoss;
    this.spikeSteps = 0;
    this.replayLedger(good.step);
    this.lrScale /= 2;
    const rb: Rollback = { step: d.step, toStep: good.step, reason: d.reason, lrScale: this.lrScale, discardedBits };
    this.rollbacks.push(rb);
    this.interval = { loss: 0, steps: 0, tokens: 0, ms: 0, norm: NaN };
    return rb;
  }

  /** Reads back what the steps since the last sync computed, and adds it to the code. // sync point */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const t0 = performance.now();
    const pending = this.pending;
    this.pending = [];
    const parts: tf.Tensor1D[] = [tf.stack(pending.map((p) => p.loss)) as tf.Tensor1D, tf.stack(pending.map((p) => p.norm)) as tf.Tensor1D];
    for (const p of pending) if (p.rowNll) parts.push(p.rowNll);
    // one value the last update wrote: on webgpu, reading it waits for every queued kernel, so the
    // time measured here is all the training's (it is the last entry, and ignored)
    const params = Object.values(this.params);
    const fence = tf.tidy(() => tf.slice(tf.reshape(params[params.length - 1], [-1]), [0], [1])) as tf.Tensor1D;
    const all = tf.concat([...parts, fence]);
    const values = await all.data(); // sync point
    tf.dispose([all, fence, ...parts]);
    for (const p of pending) tf.dispose([p.loss, p.norm]);
    const n = pending.length;
    const log2V = Math.log2(this.dataset.tokenizer.vocabSize);
    let offset = 2 * n;
    for (const [i, p] of pending.entries()) {
      if (this.diverged) break; // the rest came from a diverged model: rollBack() drops it
      const lossBits = natsToBits(values[i]);
      const norm = values[n + i];
      if (!Number.isFinite(lossBits) || !Number.isFinite(norm)) {
        this.diverged = { step: p.step, reason: `the training loss became ${lossBits.toFixed(2)} bits/token and the gradient norm ${norm.toFixed(2)} at step ${p.step}` };
        break;
      }
      this.spikeSteps = lossBits > SPIKE * this.smoothLoss ? this.spikeSteps + 1 : 0;
      if (this.spikeSteps >= SPIKE_STEPS) {
        this.diverged = { step: p.step, reason: `the training loss stayed over ${SPIKE}× its smoothed value (${this.smoothLoss.toFixed(2)} bits/token) for ${SPIKE_STEPS} steps, up to ${lossBits.toFixed(2)} at step ${p.step}` };
        break;
      }
      this.smoothLoss = Number.isNaN(this.smoothLoss) ? lossBits : 0.9 * this.smoothLoss + 0.1 * lossBits;
      this.interval.loss += lossBits;
      this.interval.steps += 1;
      this.interval.norm = norm;
      if (!p.rowNll) continue;
      // rows are in stream order, so each source's trace grows in the order its windows were coded
      p.rows.forEach((row, r) => {
        if (!row) return;
        const name = this.dataset.sources[row.source].name;
        const bits = natsToBits(values[offset + r]) + row.uniformTokens * log2V;
        const c = this.prequential[name];
        c.bits += bits;
        c.bytes += row.bytes;
        c.tokens += row.tokens;
        const t = this.trace[name];
        t.bits.push(bits);
        t.bytes.push(row.bytes);
        t.tokens.push(row.tokens);
      });
      offset += p.rows.length;
    }
    this.interval.ms += performance.now() - t0;
  }

  /** The rows step `step` trains on: its batch's windows (items), then the replayed ones, which train but are
   *  never scored (see StreamPlan.replay). */
  stepWindows(step: number): { items: { window: WindowRef; pass: number }[]; windows: WindowRef[] } {
    const items = this.plan.batch(step);
    const replayed = this.plan.replay(step, this.cfg.replay * items.length);
    return { items, windows: [...items.map((i) => i.window), ...replayed] };
  }

  /** One optimizer step on the next batch; scores the batch's first-pass windows before updating. No sync. */
  trainStep(): void {
    const t0 = performance.now();
    const cfg = this.cfg;
    const T = cfg.blockSize;
    const { items, windows } = this.stepWindows(this.step);
    const rows = windows.length;
    const { idx, tgt } = gatherWindows(this.dataset, windows, T);
    // the prequential part: which targets of which rows are sent for the first time
    const scored: Pending['rows'] = windows.map(() => null);
    let mask: Float32Array | null = null;
    items.forEach(({ window, pass }, r) => {
      if (pass !== 0) return;
      mask ??= new Float32Array(rows * T);
      scored[r] = { source: window.source, ...this.ledger.claim(window, T, mask, r * T) };
    });
    const lr = learningRate(this.step, this.plan.totalSteps, cfg) * this.lrScale;
    const varList = Object.values(this.params);
    const kept: { loss?: tf.Scalar; norm?: tf.Scalar; rowNll?: tf.Tensor1D } = {};
    // keyed by the stream, not the run, so y and x2y draw the same dropout masks
    const seed = deriveSeed(cfg.seed, `dropout:${this.plan.key}:${this.step}`);
    tf.tidy(() => {
      const x = tf.tensor2d(idx, [rows, T], 'int32');
      const y = tf.tensor2d(tgt, [rows, T], 'int32');
      const m = mask ? tf.tensor2d(mask, [rows, T]) : null;
      // with dropout the training pass is not the model being coded: score in eval mode first
      if (m && cfg.dropout > 0) kept.rowNll = tf.keep(maskedRowNll(tokenNll(forward(this.params, cfg, x, { embed: this.embed }), y), m));
      const { grads } = tf.variableGrads(() => {
        const logits = forward(this.params, cfg, x, { train: true, embed: this.embed, seed });
        const nll = tokenNll(logits, y);
        if (m && !kept.rowNll) kept.rowNll = tf.keep(maskedRowNll(nll, m));
        const ce = meanNll(nll);
        kept.loss = tf.keep(ce); // the loss shown and watched for spikes: cross-entropy alone
        return cfg.zLoss > 0 ? (tf.add(ce, meanNll(tokenZLoss(logits, cfg.zLoss))) as tf.Scalar) : ce;
      }, varList);
      // variableGrads keys gradients by tfjs's variable names; the optimizer wants nanoGPT's
      kept.norm = this.opt.step(Object.fromEntries(Object.entries(this.params).map(([n, v]) => [n, grads[v.name]])), lr);
    });
    this.pending.push({ step: this.step + 1, loss: kept.loss!, norm: kept.norm!, rowNll: kept.rowNll ?? null, rows: scored });
    for (const w of windows) this.tokensBySource[this.dataset.sources[w.source].name] += T;
    this.interval.tokens += rows * T;
    this.step += 1;
    this.interval.ms += performance.now() - t0;
  }

  /** Mean bits on each source's fixed validation windows, without dropout. // sync point */
  async evaluate(): Promise<BySource<ValResult>> {
    await this.flush(); // queued training work is timed as training; evaluation is not in tokens per second
    const out: BySource<ValResult> = {};
    for (const s of this.evalSources) {
      const source = this.dataset.sources[s];
      const es = evalSet(this.dataset, s, this.cfg);
      const sums: tf.Scalar[] = [];
      for (let i = 0; i < es.windows.length; i += this.cfg.batchSize) {
        const chunk = es.windows.slice(i, i + this.cfg.batchSize);
        const { idx, tgt } = gatherWindows(this.dataset, chunk, this.cfg.blockSize, 'val');
        sums.push(
          tf.tidy(() => {
            const shape: [number, number] = [chunk.length, this.cfg.blockSize];
            return tf.sum(tokenNll(forward(this.params, this.cfg, tf.tensor2d(idx, shape, 'int32'), { embed: this.embed }), tf.tensor2d(tgt, shape, 'int32')));
          }),
        );
      }
      const total = tf.tidy(() => tf.sum(tf.stack(sums))); // not addN: see adamw.ts
      const nats = (await total.data())[0]; // sync point
      tf.dispose([total, ...sums]);
      const bits = natsToBits(nats);
      out[source.name] = { bitsPerToken: bits / es.tokens, bitsPerByte: bits / es.bytes, tokens: es.tokens, bytes: es.bytes };
    }
    this.lastVal = out;
    return out;
  }

  /** Everything needed to continue this run later. // sync point */
  async checkpoint(): Promise<Checkpoint> {
    await this.flush();
    return {
      run: this.name,
      step: this.step,
      weights: await readWeights(this.params),
      optimizer: await this.opt.state(),
      prequential: structuredClone(this.prequential),
      trace: structuredClone(this.trace),
      tokensBySource: { ...this.tokensBySource },
      smoothLoss: this.smoothLoss,
      lrScale: this.lrScale,
      rollbacks: structuredClone(this.rollbacks),
    };
  }

  /** The windows coded since the last call, per source. */
  takeTrace(): BySource<TraceChunk> {
    const out: BySource<TraceChunk> = {};
    for (const [k, t] of Object.entries(this.trace)) {
      const from = this.traceLogged[k];
      out[k] = { from, bits: t.bits.slice(from), bytes: t.bytes.slice(from), tokens: t.tokens.slice(from) };
      this.traceLogged[k] = t.bits.length;
    }
    return out;
  }

  /** Interval statistics for a log event, reset after reading. */
  takeInterval(): { lossBitsPerToken: number; gradNorm: number; tokensPerSecond: number } {
    const iv = this.interval;
    this.interval = { loss: 0, steps: 0, tokens: 0, ms: 0, norm: NaN };
    return { lossBitsPerToken: iv.loss / iv.steps, gradNorm: iv.norm, tokensPerSecond: iv.ms > 0 ? (iv.tokens / iv.ms) * 1000 : 0 };
  }

  dispose(): void {
    for (const p of this.pending) tf.dispose([p.loss, p.norm, ...(p.rowNll ? [p.rowNll] : [])]);
    this.pending = [];
    disposeParams(this.params);
    this.opt.dispose();
  }
}

interface EvalSet {
  windows: WindowRef[];
  tokens: number;
  bytes: number;
}
const evalSets = new WeakMap<Dataset, Map<string, EvalSet>>();

/** The fixed validation windows of one source, identical for every run of a dataset. */
export function evalSet(dataset: Dataset, s: number, cfg: Pick<RunConfig, 'blockSize' | 'evalWindows'>): EvalSet {
  const key = `${s}:${cfg.blockSize}:${cfg.evalWindows}`;
  let cache = evalSets.get(dataset);
  if (!cache) evalSets.set(dataset, (cache = new Map()));
  let es = cache.get(key);
  if (!es) {
    const val = dataset.sources[s].val;
    const T = cfg.blockSize;
    const windows = evalWindowStarts(val.length, T, cfg.evalWindows).map((start) => ({ source: s, start }));
    let bytes = 0;
    for (const w of windows) for (let j = 1; j <= T; j++) bytes += dataset.tokenizer.bytesPerToken[val[w.start + j]];
    es = { windows, tokens: windows.length * T, bytes };
    cache.set(key, es);
  }
  return es;
}

/** Trains a run to its last step, yielding events. Stop early by calling return() on the generator. */
export async function* train(run: Run): AsyncGenerator<TrainEvent> {
  const cfg = run.cfg;
  const name = run.name;
  const at = () => ({ run: name, step: run.step, tokens: run.tokens, tokensBySource: { ...run.tokensBySource } });
  const evalEvery = evalInterval(cfg, run.totalSteps);
  yield { type: 'start', run: name, step: run.step, totalSteps: run.totalSteps, tokensPerStep: cfg.batchSize * cfg.blockSize };
  if (run.step === 0) yield { type: 'eval', ...at(), val: await run.evaluate() };
  await run.keepGood();
  while (run.step < run.totalSteps) {
    if (!run.diverged) {
      run.trainStep();
      yield { type: 'step', ...at(), totalSteps: run.totalSteps, lr: learningRate(run.step - 1, run.totalSteps, cfg) * run.lrScale };
    }
    const last = run.step === run.totalSteps;
    if (run.step % cfg.logEvery === 0 || last || run.diverged) {
      await run.flush();
      if (run.diverged) {
        const why = run.diverged.reason;
        const rb = run.rollBack();
        if (!rb) {
          const tried = run.rollbacks.length ? `, after ${run.rollbacks.length} rollbacks down to ${run.lrScale}× the learning rate` : '';
          yield { type: 'error', run: name, step: run.step, message: `${why}: the run diverged${tried}; lower the learning rate` };
          return;
        }
        yield { type: 'rollback', ...at(), rollback: rb, rollbacks: run.rollbacks.length };
        continue;
      }
      const iv = run.takeInterval();
      yield { type: 'log', ...at(), ...iv, smoothLossBitsPerToken: run.smoothLoss, prequential: structuredClone(run.prequential), trace: run.takeTrace() };
      if (run.step - run.goodStep >= GOOD_EVERY && !last) await run.keepGood();
    }
    if (run.step % evalEvery === 0 || last) yield { type: 'eval', ...at(), val: await run.evaluate() };
  }
  yield { type: 'done', run: name, step: run.step };
}
