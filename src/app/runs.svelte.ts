// The page's model of an experiment: turns the worker's messages into curves, per-window code traces, the
// comparisons they give, each finished seed's result, and samples; keeps them in IndexedDB so a reload shows
// them again. Curves are plain typed arrays (not proxies) for Chart.js; `version` changes whenever they grow.
// Watches the worker: one that errors or falls silent is replaced, and the experiment can resume.
import type { BackendInfo } from '../lib/backend.ts';
import { appendTrace, compare, type Comparison } from '../lib/compare.ts';
import type { BackendChoice, ControlKind, RunConfig, RunName } from '../lib/config.ts';
import type { TokenizerSpec } from '../lib/data/tokenizer.ts';
import type { Summary } from '../lib/harness.ts';
import { emptyTrace, type CodeLength, type CodeTrace } from '../lib/metrics/bits.ts';
import type { SurprisalMap } from '../lib/metrics/surprisal.ts';
import { claimExperiment, releaseExperiment } from './store/lock.ts';
import { deleteExperiment, latestExperimentId, loadExperiment, markLatest, onStorageProblem, saveExperiment, type ExperimentRecord, type StoredSource } from './store/persist.ts';
import { sampleCumulative, type SampledCurve } from './traces.ts';
import type { Rollback, TrainEvent, ValResult } from '../lib/train/loop.ts';
import { BEAT_MS, assertNever, type BaselineCurve, type FromWorker, type ModelInfo, type PlannedSource, type ToWorker, type WorkerState } from '../worker/protocol.ts';

export type XAxis = 'tokens' | 'tokensY' | 'step' | 'time';
export type Unit = 'bpb' | 'bpt';
const COLUMNS = ['step', 'tokens', 'tokensY', 'time', 'bpt', 'bpb'] as const;
type Column = (typeof COLUMNS)[number];

/** A growing series of points, one typed column per coordinate. */
export class Curve {
  length = 0;
  cols: Record<Column, Float64Array>;

  constructor(capacity = 256) {
    this.cols = Object.fromEntries(COLUMNS.map((c) => [c, new Float64Array(capacity)])) as Record<Column, Float64Array>;
  }

  push(p: Record<Column, number>): void {
    if (this.length === this.cols.step.length) {
      for (const c of COLUMNS) {
        const bigger = new Float64Array(this.length * 2);
        bigger.set(this.cols[c]);
        this.cols[c] = bigger;
      }
    }
    for (const c of COLUMNS) this.cols[c][this.length] = p[c];
    this.length++;
  }

  /** Drops the points after `step` (a resumed run repeats them). */
  truncateAfter(step: number): void {
    while (this.length > 0 && this.cols.step[this.length - 1] > step) this.length--;
  }

  last(c: Column): number {
    return this.length ? this.cols[c][this.length - 1] : NaN;
  }

  toJSON(): Record<Column, Float64Array> {
    return Object.fromEntries(COLUMNS.map((c) => [c, this.cols[c].slice(0, this.length)])) as Record<Column, Float64Array>;
  }

  static from(j: Record<Column, Float64Array>): Curve {
    const c = new Curve(Math.max(256, j.step.length));
    for (const k of COLUMNS) c.cols[k].set(j[k]);
    c.length = j.step.length;
    return c;
  }
}

export interface RunCurves {
  val: Record<string, Curve>; // validation per source
  code: Record<string, Curve>; // prequential code so far per source, bits per token/byte
  train: Curve; // smoothed training loss
}

/** The live numbers of one run. */
export class RunView {
  name: string;
  totalSteps = $state(0);
  startStep = $state(0);
  step = $state(0);
  tokens = $state(0);
  tokensBySource = $state<Record<string, number>>({});
  trainSources = $state<string[]>([]);
  val = $state<Record<string, ValResult>>({});
  code = $state<Record<string, CodeLength>>({});
  trainLoss = $state(NaN); // bits per token
  tokensPerSecond = $state(0);
  error = $state<string | null>(null);
  rollbacks = $state<Rollback[]>([]); // divergences this run recovered from
  after = $state<string | null>(null); // the run whose final weights this one starts from
  readonly curves: RunCurves = { val: {}, code: {}, train: new Curve() };
  /** Per source, the code of each window in coding order (plain arrays; `Lab.version` says when they grow). */
  traces: Record<string, CodeTrace> = {};

  constructor(name: string) {
    this.name = name;
  }

  get fraction(): number {
    return this.totalSteps > 0 ? this.step / this.totalSteps : 0;
  }
}

export interface StartInput {
  cfg: RunConfig;
  x: StoredSource;
  y: StoredSource | null;
  runs: RunName[];
  backend: BackendChoice;
  maxSeconds: number;
  pairId: string | null;
  initFrom?: string | null;
  control?: ControlKind; // default 'shuffle'
  seeds?: number; // default 1
}

/** A seed that ran to the end: its summary, and each run's cumulative code (`run|source`) for the seeds' band. */
export interface SeedResult {
  index: number; // 0 for the first seed
  seed: number;
  summary: Summary;
  curves: Record<string, SampledCurve>;
}

type StoredTrace = { bits: Float64Array; bytes: Float64Array; tokens: Float64Array };
const storeTrace = (t: CodeTrace): StoredTrace => ({ bits: Float64Array.from(t.bits), bytes: Float64Array.from(t.bytes), tokens: Float64Array.from(t.tokens) });
const loadTrace = (t: StoredTrace): CodeTrace => ({ bits: Array.from(t.bits), bytes: Array.from(t.bytes), tokens: Array.from(t.tokens) });

/** The page's curves as stored in an experiment's record. */
export type ExperimentHistory = History;

interface History {
  elapsed: number; // seconds of training shown so far
  runs: {
    name: string;
    totalSteps: number;
    step: number;
    tokens: number;
    tokensBySource: Record<string, number>;
    trainSources: string[];
    after?: string | null;
    val: Record<string, ValResult>;
    code: Record<string, CodeLength>;
    curves: { val: Record<string, unknown>; code: Record<string, unknown>; train: unknown };
    traces?: Record<string, StoredTrace>;
  }[];
  sources: PlannedSource[];
  summary: Summary | null;
  params: number;
  checkpointSteps: Record<string, number>;
  control?: ControlKind;
  seeds?: number;
  seedIndex?: number;
  seedResults?: SeedResult[];
  baselines?: Record<string, BaselineCurve>;
  surprisal?: ShownSurprisal | null;
}

/** The map of where X helped Y, and the seed it is of. */
export interface ShownSurprisal {
  map: SurprisalMap;
  seedIndex: number;
}

/** The cumulative curves a finished seed keeps: every run's code of every source it trains on. */
function seedCurves(runs: RunView[]): Record<string, SampledCurve> {
  const out: Record<string, SampledCurve> = {};
  for (const r of runs) for (const [s, t] of Object.entries(r.traces)) if (t.bits.length > 0) out[`${r.name}|${s}`] = sampleCumulative(t);
  return out;
}

/** A stored experiment's runs, with their numbers and curves, as the page shows them. */
export function runViewsOf(h: History): RunView[] {
  return h.runs.map((s) => {
    const v = new RunView(s.name);
    Object.assign(v, { totalSteps: s.totalSteps, step: s.step, tokens: s.tokens, tokensBySource: s.tokensBySource, trainSources: s.trainSources, after: s.after ?? null, val: s.val, code: s.code });
    for (const [k, t] of Object.entries(s.traces ?? {})) v.traces[k] = loadTrace(t);
    type J = Parameters<typeof Curve.from>[0];
    for (const [k, c] of Object.entries(s.curves.val)) v.curves.val[k] = Curve.from(c as J);
    for (const [k, c] of Object.entries(s.curves.code)) v.curves.code[k] = Curve.from(c as J);
    Object.assign(v.curves, { train: Curve.from(s.curves.train as J) });
    return v;
  });
}

type Pending = { resolve: (m: FromWorker) => void; reject: (e: Error) => void };

export class Lab {
  backend = $state<BackendInfo | null>(null);
  state = $state<WorkerState>('idle');
  stateMessage = $state('');
  errors = $state<string[]>([]);
  experimentId = $state<string | null>(null);
  record = $state.raw<ExperimentRecord<History> | null>(null);
  cfg = $state<RunConfig | null>(null);
  params = $state(0);
  sources = $state<PlannedSource[]>([]);
  runs = $state<RunView[]>([]);
  summary = $state<Summary | null>(null);
  models = $state<ModelInfo[]>([]);
  checkpointSteps = $state<Record<string, number>>({});
  lastCheckpointAt = $state(0);
  checkpointBytes = $state(-1); // the last checkpoint's size as the worker stored it (-1: none reported yet)
  /** Hears every record saved (the history's index follows it). */
  onSaved: ((rec: ExperimentRecord<History>) => void) | null = null;
  storageProblem = $state<string | null>(null); // why runs will not survive a reload (storage full or missing)
  readOnly = $state(false); // another tab holds the experiment shown: this one neither writes nor resumes it
  version = $state(0); // bumped when any curve grows
  control = $state<ControlKind>('shuffle'); // the control text of the experiment shown
  seeds = $state(1); // seeds the experiment runs
  seedIndex = $state(0); // the seed being shown: 0 for the first
  seedResults = $state.raw<SeedResult[]>([]); // every seed that ran to the end, by index
  baselines = $state.raw<Record<string, BaselineCurve>>({}); // gzip and the context model on this seed's coding order
  recovery = $state<string | null>(null); // the GPU device was lost: what happened, and where training resumed
  crashed = $state<string | null>(null); // the worker died mid-experiment (why): resumeStored() continues it
  surprisal = $state.raw<ShownSurprisal | null>(null); // where X helped Y, character by character (see lib/metrics/surprisal.ts)
  /** A worker silent this long while training or paused is dead (longer where its steps are slow). */
  deadAfterMs = 15_000;

  /** Every comparison of the codes so far, over the windows both runs have coded (never extrapolated). */
  comparison: Comparison = $derived.by(() => {
    void this.version;
    const by = new Map(this.runs.map((r) => [r.name, r]));
    const windowsOf = (s: string) => this.sources.find((p) => p.name === s)?.trainWindows ?? 0;
    return compare((run, source) => by.get(run)?.traces[source], windowsOf);
  });

  /** The run a run waits for ('x' for x → y) while that one has not finished; null once it can start. */
  waitingFor(name: string): string | null {
    const r = this.runs.find((v) => v.name === name);
    if (!r?.after || r.step > 0) return null;
    const before = this.runs.find((v) => v.name === r.after);
    return before && before.step < before.totalSteps ? before.name : null;
  }

  get busy(): boolean {
    return this.state === 'loading' || this.state === 'running' || this.state === 'paused';
  }

  private worker: Worker | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private heard = 0; // performance.now() of the worker's last message
  private longestSilence = 0; // ms, while training: slow steps block the worker's beats
  private lastTick = 0; // the watchdog's last look
  private deaths: number[] = []; // when workers died: a worker that cannot even start is not restarted forever
  private backendChoice: BackendChoice = 'auto'; // what a replacement worker starts with
  private requests = new Map<number, Pending>();
  private nextRequest = 1;
  private timeBase = 0; // performance.now() at elapsed = 0
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly makeWorker: () => Worker) {
    onStorageProblem((m) => (this.storageProblem = m));
  }

  private send(msg: ToWorker, transfer: Transferable[] = []): void {
    if (!this.worker) {
      const w = (this.worker = this.makeWorker());
      w.onmessage = (e: MessageEvent<FromWorker>) => {
        if (w !== this.worker) return; // a worker already given up for dead
        this.noteSilence();
        this.heard = performance.now();
        this.handle(e.data);
      };
      w.onerror = (e) => {
        e.preventDefault();
        if (w === this.worker) this.workerDied(`it crashed: ${e.message || 'unknown error'}`);
      };
      w.onmessageerror = () => w === this.worker && this.workerDied('a message from it could not be read');
      this.heard = this.lastTick = performance.now();
      this.longestSilence = 0;
      this.watchdog ??= setInterval(() => this.checkAlive(), BEAT_MS / 2);
    }
    this.worker.postMessage(msg, transfer);
  }

  /** While training or paused the worker beats; a long silence then means it is gone. */
  private get watching(): boolean {
    return this.state === 'running' || this.state === 'paused';
  }

  private checkAlive(): void {
    const now = performance.now();
    // a page asleep (a background tab's throttled timers) was not listening either: count again from now
    if (now - this.lastTick > 4 * BEAT_MS) this.heard = now;
    this.lastTick = now;
    const silent = now - this.heard;
    if (this.worker && this.watching && silent > Math.max(this.deadAfterMs, 4 * this.longestSilence)) this.workerDied(`it sent nothing for ${Math.round(silent / 1000)} s`);
  }

  /** Keeps the longest silence seen while training: the watchdog waits several times that. */
  private noteSilence(): void {
    if (this.watching) this.longestSilence = Math.max(this.longestSilence, performance.now() - this.heard);
  }

  /** The worker crashed or fell silent: end it, start a new one, and offer to resume from the last checkpoint. */
  private workerDied(why: string): void {
    const w = this.worker;
    if (!w) return;
    this.worker = null;
    w.terminate();
    for (const p of this.requests.values()) p.reject(new Error(`the training worker stopped: ${why}`));
    this.requests.clear();
    this.models = []; // they lived in the dead worker
    const busy = this.busy && this.record !== null;
    if (busy) {
      this.crashed = why;
      this.state = 'stopped';
      this.stateMessage = 'the training worker stopped: resume continues from the last checkpoint';
      this.persistSoon(0);
    }
    const now = performance.now();
    this.deaths = [...this.deaths.filter((t) => now - t < 60_000), now];
    if (this.deaths.length > 3) return this.fail(`The training worker stopped (${why}), for the fourth time in a minute: reload the page.`);
    this.fail(`The training worker stopped (${why}). A new one was started${busy ? '; resuming continues every run from its last checkpoint' : ''}.`);
    this.prepare(this.backendChoice);
  }

  /** Test hooks (see protocol.ts): a lost GPU device, or a crashed or silent worker, on demand. */
  debugWorker(action: 'loseDevice' | 'crash' | 'close', refuseWebGPU = false): void {
    this.send({ type: 'debug', action, refuseWebGPU });
  }

  private request(msg: ToWorker, transfer: Transferable[] = []): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      this.requests.set((msg as { requestId: number }).requestId, { resolve, reject });
      this.send(msg, transfer);
    });
  }

  private fail(message: string): void {
    this.errors = [...this.errors.slice(-4), message];
  }

  dismissError(i: number): void {
    this.errors = this.errors.filter((_, j) => j !== i);
  }

  /** Starts a new experiment: x, y and xy from the same seed and weights. */
  start(input: StartInput): void {
    const id = crypto.randomUUID();
    const now = Date.now();
    this.reset(id);
    this.readOnly = false;
    void claimExperiment(id); // a fresh id: no other tab holds it
    this.control = input.control ?? 'shuffle';
    this.seeds = input.seeds ?? 1;
    this.record = { id, createdAt: now, updatedAt: now, cfg: input.cfg, runs: input.runs, backend: input.backend, maxSeconds: input.maxSeconds, control: this.control, seeds: this.seeds, pairId: input.pairId, x: input.x, y: input.y, history: this.history(), finished: false };
    const rec = this.record;
    void saveExperiment($state.snapshot(rec) as ExperimentRecord).then((problem) => problem || this.onSaved?.(rec));
    this.launch(input, false);
  }

  /** Continues the stored experiment from its last checkpoint. */
  resumeStored(): void {
    const rec = this.record;
    if (!rec) return;
    if (this.readOnly) return this.fail('this experiment is open in another tab: resume it there, or start a new one here');
    this.crashed = null;
    this.launch({ cfg: rec.cfg, x: rec.x, y: rec.y, runs: rec.runs, backend: rec.backend, maxSeconds: rec.maxSeconds, pairId: rec.pairId, control: rec.control ?? 'shuffle', seeds: rec.seeds ?? 1 }, true);
  }

  private launch(input: StartInput, resume: boolean): void {
    this.backendChoice = input.backend;
    this.recovery = null;
    this.timeBase = performance.now() - (this.record?.history.elapsed ?? 0) * 1000;
    this.state = 'loading';
    this.stateMessage = '';
    this.summary = null;
    // copies: the stored record keeps its own buffers
    this.send({
      type: 'start',
      experimentId: this.experimentId!,
      cfg: $state.snapshot(input.cfg) as RunConfig,
      x: { name: input.x.label, bytes: input.x.bytes.slice(0) },
      y: input.y ? { name: input.y.label, bytes: input.y.bytes.slice(0) } : null,
      runs: [...input.runs],
      control: input.control ?? 'shuffle',
      seeds: input.seeds ?? 1,
      backend: input.backend,
      maxSeconds: input.maxSeconds,
      resume,
      initFrom: input.initFrom ?? null,
    });
  }

  /** Starts the worker and its backend ahead of the first run: loading TensorFlow.js and compiling its
   *  kernels then happens while the user reads the page, not in the first seconds of training. */
  prepare(backend: BackendChoice): void {
    this.backendChoice = backend;
    this.send({ type: 'init', backend });
  }

  pause(): void {
    this.send({ type: 'pause' });
  }

  resume(): void {
    this.send({ type: 'resume' });
  }

  stop(): void {
    this.send({ type: 'stop' });
  }

  async sample(model: string, prompt: string, opts: { maxTokens: number; temperature: number; topK: number; seed: number }): Promise<string> {
    const r = await this.request({ type: 'sample', requestId: this.nextRequest++, model, prompt, ...opts });
    if (r.type !== 'sampled') throw new Error('unexpected reply');
    return r.text;
  }

  /** A run's weights from a stored experiment's checkpoint (the worker reads it from IndexedDB), as .safetensors. */
  async exportStored(experimentId: string, run: string, model: { cfg: RunConfig; tokenizer: TokenizerSpec }): Promise<{ fileName: string; bytes: ArrayBuffer }> {
    const r = await this.request({ type: 'exportStored', requestId: this.nextRequest++, experimentId, run, cfg: $state.snapshot(model.cfg) as RunConfig, tokenizer: $state.snapshot(model.tokenizer) as TokenizerSpec });
    if (r.type !== 'exported') throw new Error('unexpected reply');
    return { fileName: r.fileName, bytes: r.bytes };
  }

  async exportModel(model: string): Promise<{ fileName: string; bytes: ArrayBuffer }> {
    const r = await this.request({ type: 'export', requestId: this.nextRequest++, model });
    if (r.type !== 'exported') throw new Error('unexpected reply');
    return { fileName: r.fileName, bytes: r.bytes };
  }

  async importModel(fileName: string, bytes: ArrayBuffer): Promise<ModelInfo> {
    const r = await this.request({ type: 'import', requestId: this.nextRequest++, fileName, bytes }, [bytes]);
    if (r.type !== 'imported') throw new Error('unexpected reply');
    return r.model;
  }

  /** Times `steps` training steps (and one validation) of `cfg` on `backend`, before Train: the page's
   *  duration estimate. The worker refuses while an experiment trains. */
  async probe(cfg: RunConfig, backend: BackendChoice, steps: number): Promise<{ backend: string; firstStepSeconds: number; secondsPerStep: number; secondsPerEval: number }> {
    const r = await this.request({ type: 'probe', requestId: this.nextRequest++, cfg, backend, steps });
    if (r.type !== 'probed') throw new Error('unexpected reply');
    return r;
  }

  /** Asks the worker for the map of where X helped Y, from its models as they are now. */
  async requestSurprisal(): Promise<void> {
    const r = await this.request({ type: 'surprisal', requestId: this.nextRequest++ });
    if (r.type !== 'surprisal') throw new Error('unexpected reply');
  }

  /** Shows the experiment stored last, if any (after a reload), or the one asked for (from the history). */
  async restore(which?: string): Promise<boolean> {
    const id = which ?? (await latestExperimentId());
    const rec = id ? await loadExperiment<History>(id) : undefined;
    if (!rec) return false;
    if (which) void markLatest(which); // a reload shows it again
    const mine = await claimExperiment(rec.id);
    this.reset(rec.id);
    this.readOnly = !mine;
    this.record = rec;
    const h = rec.history;
    this.sources = h.sources;
    this.summary = h.summary;
    this.params = h.params;
    this.cfg = rec.cfg;
    this.checkpointSteps = h.checkpointSteps;
    this.control = h.control ?? rec.control ?? 'shuffle';
    this.seeds = h.seeds ?? rec.seeds ?? 1;
    this.seedIndex = h.seedIndex ?? 0;
    this.seedResults = h.seedResults ?? [];
    this.baselines = h.baselines ?? {};
    this.surprisal = h.surprisal ?? null;
    this.runs = runViewsOf(h);
    this.state = rec.finished ? 'done' : 'stopped';
    this.stateMessage = rec.finished ? 'restored' : 'restored: resume continues from the last checkpoint';
    if (!mine) this.stateMessage = 'restored read-only: this experiment is open in another tab';
    this.version++;
    return true;
  }

  async forget(): Promise<void> {
    if (this.readOnly) return this.fail('this experiment is open in another tab: discard it there');
    if (this.experimentId) await deleteExperiment(this.experimentId);
    releaseExperiment();
    this.reset(null);
    this.record = null;
    // nothing is shown any more: back to the state of a fresh page
    if (!this.busy) {
      this.state = 'idle';
      this.stateMessage = '';
    }
  }

  private reset(id: string | null): void {
    // the worker's runs belong to the experiment shown until now: not models of this one (imported ones stay)
    if (id !== this.experimentId) this.models = this.models.filter((m) => m.id.startsWith('import:'));
    this.experimentId = id;
    this.crashed = null;
    this.runs = [];
    this.sources = [];
    this.summary = null;
    this.checkpointSteps = {};
    this.checkpointBytes = -1;
    this.seedIndex = 0;
    this.seedResults = [];
    this.baselines = {};
    this.surprisal = null;
    this.version++;
  }

  private history(): History {
    return {
      elapsed: this.timeBase ? (performance.now() - this.timeBase) / 1000 : 0,
      runs: this.runs.map((r) => ({
        name: r.name,
        totalSteps: r.totalSteps,
        step: r.step,
        tokens: r.tokens,
        tokensBySource: $state.snapshot(r.tokensBySource),
        trainSources: $state.snapshot(r.trainSources),
        after: r.after,
        val: $state.snapshot(r.val),
        code: $state.snapshot(r.code),
        curves: {
          val: Object.fromEntries(Object.entries(r.curves.val).map(([k, c]) => [k, c.toJSON()])),
          code: Object.fromEntries(Object.entries(r.curves.code).map(([k, c]) => [k, c.toJSON()])),
          train: r.curves.train.toJSON(),
        },
        traces: Object.fromEntries(Object.entries(r.traces).map(([k, t]) => [k, storeTrace(t)])),
      })),
      sources: $state.snapshot(this.sources),
      summary: $state.snapshot(this.summary) as Summary | null,
      params: this.params,
      checkpointSteps: $state.snapshot(this.checkpointSteps),
      control: this.control,
      seeds: this.seeds,
      seedIndex: this.seedIndex,
      seedResults: this.seedResults,
      baselines: this.baselines,
      surprisal: this.surprisal,
    };
  }

  /** Writes the record soon, at most every few seconds: structured cloning the curves is not free. */
  private persistSoon(delayMs = 3000): void {
    if (!this.record || this.readOnly) return;
    // an urgent save (a state change, a checkpoint) must not wait for a routine one already pending
    if (this.saveTimer && delayMs === 0) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
    }
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      if (!this.record) return;
      const finished = this.state === 'done';
      this.record = { ...this.record, updatedAt: Date.now(), history: this.history(), finished };
      const rec = this.record;
      void saveExperiment(rec as ExperimentRecord).then((problem) => problem || this.onSaved?.(rec));
    }, delayMs);
  }

  private runView(name: string): RunView {
    let v = this.runs.find((r) => r.name === name);
    if (!v) {
      v = new RunView(name);
      this.runs = [...this.runs, v];
    }
    return v;
  }

  private point(ev: { step: number; tokens: number; tokensBySource: Record<string, number> }, bpt: number, bpb: number) {
    return { step: ev.step, tokens: ev.tokens, tokensY: ev.tokensBySource.Y ?? 0, time: (performance.now() - this.timeBase) / 1000, bpt, bpb };
  }

  private onEvent(ev: TrainEvent): void {
    const r = this.runView(ev.run);
    switch (ev.type) {
      case 'start':
        r.totalSteps = ev.totalSteps;
        r.step = ev.step;
        return;
      case 'step':
        r.step = ev.step;
        r.tokens = ev.tokens;
        r.tokensBySource = ev.tokensBySource;
        return;
      case 'log': {
        r.step = ev.step;
        r.tokens = ev.tokens;
        r.trainLoss = ev.smoothLossBitsPerToken;
        r.tokensPerSecond = ev.tokensPerSecond;
        r.code = ev.prequential;
        for (const [s, chunk] of Object.entries(ev.trace)) {
          // a gap would misalign every later window: say so rather than compare the wrong bytes
          if (!appendTrace((r.traces[s] ??= emptyTrace()), chunk)) this.fail(`run ${r.name}: the code of ${s} arrived with a gap (windows from ${chunk.from}); its comparisons stop there`);
        }
        // training loss in bits per byte: by the bytes per token of the run's own training text
        const src = this.sources.filter((s) => r.trainSources.includes(s.name));
        const tokPerByte = src.reduce((a, s) => a + s.trainTokens, 0) / Math.max(1, src.reduce((a, s) => a + s.trainBytes, 0));
        r.curves.train.push(this.point(ev, ev.smoothLossBitsPerToken, ev.smoothLossBitsPerToken * tokPerByte));
        for (const [s, c] of Object.entries(ev.prequential)) {
          if (c.tokens === 0) continue;
          (r.curves.code[s] ??= new Curve()).push(this.point(ev, c.bits / c.tokens, c.bits / c.bytes));
        }
        this.version++;
        this.persistSoon();
        return;
      }
      case 'eval':
        r.val = ev.val;
        for (const [s, v] of Object.entries(ev.val)) (r.curves.val[s] ??= new Curve()).push(this.point(ev, v.bitsPerToken, v.bitsPerByte));
        this.version++;
        this.persistSoon();
        return;
      case 'done':
        r.step = ev.step;
        return;
      case 'error':
        r.error = ev.message;
        this.fail(`run ${ev.run}: ${ev.message}`);
        return;
      case 'rollback':
        // the steps after the good state are trained again: their points are replaced
        r.step = ev.step;
        r.rollbacks = [...r.rollbacks, ev.rollback];
        for (const c of [...Object.values(r.curves.val), ...Object.values(r.curves.code), r.curves.train]) c.truncateAfter(ev.step);
        this.fail(`run ${ev.run}: ${ev.rollback.reason}; rolled back to step ${ev.rollback.toStep} and continued at ${ev.rollback.lrScale}× the learning rate`);
        this.version++;
        return;
      default:
        assertNever(ev);
    }
  }

  handle(msg: FromWorker): void {
    switch (msg.type) {
      case 'beat':
        return;
      case 'recovery':
        this.recovery = msg.message;
        return;
      case 'backend':
        this.backend = msg.info;
        return;
      case 'planned': {
        this.cfg = msg.cfg;
        this.params = msg.params;
        this.sources = msg.sources;
        this.control = msg.control;
        this.seeds = msg.seeds;
        // the next seed starts afresh; a resumed seed keeps what it had
        const keep = new Map(msg.seedIndex === this.seedIndex ? this.runs.map((r) => [r.name, r]) : []);
        if (msg.seedIndex !== this.seedIndex) this.baselines = {};
        this.seedIndex = msg.seedIndex;
        this.runs = msg.runs.map((p) => {
          // a resumed run keeps its curves up to the checkpoint, and redoes the rest (its first log's trace
          // chunk starts at the checkpoint's window, and replaces what came after)
          const v = keep.get(p.name) ?? new RunView(p.name);
          v.totalSteps = p.totalSteps;
          v.startStep = p.startStep;
          v.step = p.startStep;
          v.trainSources = p.trainSources;
          v.after = p.after;
          v.error = null;
          for (const c of [...Object.values(v.curves.val), ...Object.values(v.curves.code), v.curves.train]) c.truncateAfter(p.startStep > 0 ? p.startStep : -1); // from step 0: its step-0 eval comes again
          if (p.startStep === 0) v.traces = {};
          return v;
        });
        this.version++;
        return;
      }
      case 'event':
        this.onEvent(msg.event);
        return;
      case 'state':
        if (msg.message && msg.state === this.state) {
          this.stateMessage = msg.message;
          return;
        }
        this.state = msg.state;
        this.stateMessage = msg.message ?? '';
        if (msg.state !== 'running') this.persistSoon(0);
        return;
      case 'checkpointed':
        this.checkpointSteps = msg.steps;
        this.lastCheckpointAt = msg.at;
        if (msg.bytes !== undefined) this.checkpointBytes = msg.bytes;
        this.persistSoon(0);
        return;
      case 'summary':
        this.summary = msg.summary;
        if (msg.finished) {
          const done: SeedResult = { index: msg.seedIndex, seed: msg.summary.seed, summary: msg.summary, curves: seedCurves(this.runs) };
          this.seedResults = [...this.seedResults.filter((r) => r.index !== msg.seedIndex), done].sort((a, b) => a.index - b.index);
        }
        this.persistSoon(0);
        return;
      case 'traces': {
        // a resumed run's whole code up to its checkpoint: replaces what the page had kept
        if (msg.experimentId !== this.experimentId || msg.seedIndex !== this.seedIndex) return;
        const r = this.runView(msg.run);
        for (const [s, chunk] of Object.entries(msg.trace)) appendTrace((r.traces[s] ??= emptyTrace()), chunk);
        this.version++;
        return;
      }
      case 'baselines':
        if (msg.experimentId !== this.experimentId || msg.seedIndex !== this.seedIndex) return;
        this.baselines = { ...this.baselines, [msg.curve.source]: msg.curve };
        this.persistSoon();
        return;
      case 'surprisal': {
        if (msg.experimentId === this.experimentId) {
          this.surprisal = { map: msg.map, seedIndex: msg.seedIndex };
          this.persistSoon();
        }
        const p = msg.requestId !== null ? this.requests.get(msg.requestId) : undefined;
        if (p && msg.requestId !== null) {
          this.requests.delete(msg.requestId);
          p.resolve(msg);
        }
        return;
      }
      case 'models':
        this.models = msg.models;
        return;
      case 'storage':
        this.storageProblem = msg.message;
        return;
      case 'probed':
      case 'sampled':
      case 'exported':
      case 'imported': {
        const p = this.requests.get(msg.requestId);
        this.requests.delete(msg.requestId);
        p?.resolve(msg);
        return;
      }
      case 'error': {
        const p = msg.requestId !== undefined ? this.requests.get(msg.requestId) : undefined;
        if (p && msg.requestId !== undefined) {
          this.requests.delete(msg.requestId);
          p.reject(new Error(msg.message));
        } else this.fail(msg.message);
        return;
      }
      default:
        assertNever(msg);
    }
  }
}
