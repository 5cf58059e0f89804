// The training worker: picks the backend, runs the experiment (seed after seed), and forwards its events.
// Also samples, exports and imports models, checkpoints runs to IndexedDB so a reload can resume, has the
// baselines (gzip, the context model) computed on the same bytes beside the training, and recovers from a
// lost GPU device by resuming every run from its last checkpoint on a new device (or on wasm).
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs';
import { embedModeFor, selectBackend, type BackendInfo } from '../lib/backend.ts';
import { UserError, paramCount, type BackendChoice, type RunConfig } from '../lib/config.ts';
import { StreamPlan } from '../lib/data/batches.ts';
import type { Tokenizer } from '../lib/data/tokenizer.ts';
import { codingOrder } from '../lib/data/order.ts';
import { Runner, planExperiment, summarize, type Experiment } from '../lib/harness.ts';
import { exportModel, importModel } from '../lib/io/safetensors.ts';
import { gzipSize } from '../lib/metrics/gzip.ts';
import { createParams, disposeParams, readWeights, type Params, type Weights } from '../lib/model/gpt.ts';
import { generate } from '../lib/model/sample.ts';
import { probeSteps } from './probe.ts';
import { autoBackend, racedTimes } from './auto.ts';
import { loadCheckpoints, onStorageProblem, saveCheckpoints } from '../app/store/persist.ts';
import { checkpointBytes } from '../app/store/history.ts';
import { tokenizerFromSpec } from '../lib/data/tokenizer.ts';
import type { Checkpoint, TrainEvent } from '../lib/train/loop.ts';
import { baselineCurve, type BaselineJob } from './baselines.ts';
import type { FromBaselines, ToBaselines } from './baselines.worker.ts';
import { cancelSurprisal, mapRuns, surprisalJob } from './surprisal.ts';
import type { SurprisalMap } from '../lib/metrics/surprisal.ts';
import { BEAT_MS, assertNever, type FromWorker, type ModelInfo, type ToWorker, type WorkerState } from './protocol.ts';

const CHECKPOINT_SECONDS = 30; // a reload loses at most this much training
const STEP_EVENT_MS = 100; // step events carry only progress: at most ten a second per run

interface Imported {
  info: ModelInfo;
  params: Params;
  tokenizer: Tokenizer;
  weights: Weights;
}

const scope = self as unknown as DedicatedWorkerGlobalScope;
let backend: { choice: BackendChoice; info: BackendInfo } | null = null;
let experiment: { id: string; exp: Experiment; runner: Runner; seedIndex: number } | null = null;
const imported = new Map<string, Imported>();
let importCount = 0;
let state: WorkerState = 'idle';
let paused: { resume: () => void; promise: Promise<void> } | null = null;
let stopRequested = false;
let training: Promise<void> = Promise.resolve();
let probing: Promise<unknown> = Promise.resolve(); // a duration probe: a start waits for it

function post(msg: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

function setState(s: WorkerState, message?: string): void {
  state = s;
  post({ type: 'state', state: s, ...(message ? { message } : {}) });
}

function userMessage(e: unknown): string {
  if (e instanceof UserError) return e.message;
  const m = e instanceof Error ? e.message : String(e);
  return `unexpected error: ${m}`;
}

/** A turn of the event loop, so pause, stop and sample messages are handled between steps. */
const macrotask = () => new Promise<void>((resolve) => {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => resolve();
  ch.port2.postMessage(null);
});

const backendOptions = {
  wasmPaths: { 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded },
  onDeviceLost: (message: string) => deviceLost(message),
};

async function ensureBackend(choice: BackendChoice, cfg?: RunConfig): Promise<BackendInfo> {
  // 'auto' with a preset: the faster of wasm and a hardware GPU on it (src/worker/auto.ts)
  const raced = choice === 'auto' && cfg ? await autoBackend(cfg, backendOptions, backend?.choice === 'auto' ? backend.info : null) : null;
  if (raced) {
    backend = { choice, info: raced };
    post({ type: 'backend', info: raced });
    return raced;
  }
  // 'auto' keeps a backend that 'auto' chose; after an explicit choice (cpu, say) it chooses again
  if (backend && (backend.choice === choice || (choice === 'auto' && backend.choice === 'auto') || backend.info.name === choice)) return backend.info;
  const info = await selectBackend(choice, backendOptions);
  backend = { choice, info };
  post({ type: 'backend', info });
  return info;
}

// ---- a lost GPU device -----------------------------------------------------------------------------
// WebGPU can lose its device (a driver reset, a backgrounded tab), and every tensor on it with it. The loop
// stops, the backend starts again (a new device, or wasm when WebGPU does not come back), and every run
// goes on from its last checkpoint set, kept here in memory too since storage may be missing.

let lastSaved: { id: string; seedIndex: number; runs: Record<string, Checkpoint> } | null = null;
let lost: { message: string; at: number } | null = null; // lost and not yet replaced
let lostSignal = signal();
let losses = 0; // devices lost in this worker: after the second, WebGPU is not tried again
let refuseWebGPU = false; // test hook: WebGPU does not come back
let trainingActive = false; // start() owns the recovery while it runs; otherwise it happens at once
let recovering: Promise<void> = Promise.resolve();

function signal(): { promise: Promise<void>; fire: () => void } {
  let fire = () => {};
  const promise = new Promise<void>((r) => (fire = r));
  return { promise, fire };
}

const clock = (t: number) => new Date(t).toLocaleTimeString();

function deviceLost(message: string): void {
  if (lost || backend?.info.name !== 'webgpu') return; // a device no longer in use
  losses++;
  lost = { message, at: Date.now() };
  lostSignal.fire();
  post({ type: 'recovery', message: `${message} at ${clock(lost.at)}: starting the backend again…` });
  if (!trainingActive) recovering = recovering.then(recoverIdle);
}

/** After a loss, a short wait tells an error caused by the lost device from any other. */
async function deviceWasLost(): Promise<boolean> {
  if (!lost && backend?.info.name === 'webgpu') await Promise.race([lostSignal.promise, new Promise((r) => setTimeout(r, 1000))]);
  return lost !== null;
}

/** Frees what lived on the lost device and starts a backend: WebGPU on a new device where it comes back
 *  ('auto' still declines a software adapter), else wasm. Imported models are made again from their weights. */
async function rebuildBackend(): Promise<{ info: BackendInfo; why: string }> {
  const choice = backend?.choice ?? 'auto';
  const quietly = (f: () => void) => {
    try {
      f(); // the tensors of a lost device: freeing them may complain, and they are gone anyway
    } catch {
      /* gone */
    }
  };
  quietly(disposeExperiment);
  experiment = null;
  for (const m of imported.values()) quietly(() => disposeParams(m.params));
  lost = null;
  lostSignal = signal();
  let info: BackendInfo | null = null;
  let why = '';
  if (refuseWebGPU) why = 'WebGPU did not come back (test hook)';
  else if (losses >= 2) why = `the GPU device was lost ${losses} times`;
  else {
    try {
      info = await selectBackend(choice === 'auto' ? 'auto' : 'webgpu', backendOptions);
    } catch (e) {
      why = `WebGPU did not come back: ${userMessage(e)}`;
    }
  }
  info ??= await selectBackend('wasm', backendOptions);
  backend = { choice, info };
  for (const m of imported.values()) m.params = createParams(m.info.cfg, m.weights);
  return { info, why };
}

/** The experiment's plan for another backend (the embedding lookup differs between them). */
function planFor(exp: Experiment, info: BackendInfo): Experiment {
  const embed = embedModeFor(info.name);
  return { ...exp, specs: exp.specs.map((s) => ({ ...s, embed })) };
}

function savedFor(id: string, seedIndex: number): Record<string, Checkpoint> {
  return lastSaved && lastSaved.id === id && lastSaved.seedIndex === seedIndex ? lastSaved.runs : {};
}

function resumedText(runs: Record<string, Checkpoint>, info: BackendInfo, why: string): string {
  const at = Object.values(runs).map((c) => `${c.run} at step ${c.step}`);
  const from = at.length ? `resumed from the last checkpoint (${at.join(', ')})` : 'no checkpoint yet, so every run started again from step 0';
  return `${from} on ${info.name}${why ? ` (${why})` : ''}`;
}

/** The backend again, and the runs from their last checkpoint, while start() trains seed `k`. */
async function resumeAfterLoss(msg: Extract<ToWorker, { type: 'start' }>, k: number): Promise<void> {
  const what = lost!;
  const old = experiment!.exp;
  const saved = savedFor(msg.experimentId, k);
  const { info, why } = await rebuildBackend();
  const exp = planFor(old, info);
  const runner = new Runner(exp, saved);
  experiment = { id: msg.experimentId, exp, runner, seedIndex: k };
  const text = `${what.message} at ${clock(what.at)}; ${resumedText(saved, info, why)}`;
  post({ type: 'backend', info: { ...info, note: `${text}; ${info.note}` } });
  await postPlan(msg, exp, runner, k);
  postTraces(msg.experimentId, runner, k);
  post({ type: 'models', models: modelInfos() });
  post({ type: 'recovery', message: text });
}

/** A loss while nothing trains: the backend again, and the models from the last checkpoint set. */
async function recoverIdle(): Promise<void> {
  if (!lost || trainingActive) return;
  const what = lost;
  const ex = experiment;
  try {
    const { info, why } = await rebuildBackend();
    const saved = ex ? savedFor(ex.id, ex.seedIndex) : {};
    let models = '';
    if (ex && Object.keys(saved).length > 0) {
      const exp = planFor(ex.exp, info);
      experiment = { ...ex, exp, runner: new Runner(exp, saved) };
      models = `; the trained models were loaded again from the last checkpoint (${Object.values(saved).map((c) => `${c.run} at step ${c.step}`).join(', ')})`;
    }
    const text = `${what.message} at ${clock(what.at)}; the backend started again on ${info.name}${why ? ` (${why})` : ''}${models}`;
    post({ type: 'backend', info: { ...info, note: `${text}; ${info.note}` } });
    post({ type: 'models', models: modelInfos() });
    post({ type: 'recovery', message: text });
  } catch (e) {
    post({ type: 'error', fatal: true, message: `${what.message}, and no backend could start again: ${userMessage(e)}. Reload the page.` });
  }
}

function modelInfos(): ModelInfo[] {
  const out: ModelInfo[] = [];
  if (experiment) {
    const { exp, runner } = experiment;
    for (const r of runner.runs) out.push({ id: r.name, label: `run ${r.name} (step ${r.step})`, cfg: exp.cfg, tokenizer: exp.dataset.tokenizer.spec, params: paramCount(exp.cfg) });
  }
  for (const m of imported.values()) out.push(m.info);
  return out;
}

function disposeExperiment(): void {
  if (!experiment) return;
  experiment.runner.dispose();
  experiment = null;
}

async function checkpoint(): Promise<void> {
  if (!experiment) return;
  const { id } = experiment;
  const runs = experiment.runner.runs;
  const saved: Record<string, Checkpoint> = {};
  for (const r of runs) saved[r.name] = await r.checkpoint(); // sync point
  lastSaved = { id, seedIndex: experiment.seedIndex, runs: saved }; // a lost device resumes from here, stored or not
  if (await saveCheckpoints(id, { savedAt: Date.now(), runs: saved, seedIndex: experiment.seedIndex })) return; // not saved: the page was told
  post({ type: 'checkpointed', experimentId: id, steps: Object.fromEntries(runs.map((r) => [r.name, r.step])), at: Date.now(), bytes: checkpointBytes(saved) });
}

async function start(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  stopRequested = false;
  paused = null;
  setState('loading');
  const info = await ensureBackend(msg.backend, msg.cfg);
  disposeExperiment();
  let init: { tokenizer: Tokenizer; weights: Weights; cfg: RunConfig } | undefined;
  if (msg.initFrom) {
    const m = imported.get(msg.initFrom);
    if (!m) throw new UserError('the imported model to start from is gone; import it again');
    init = { tokenizer: m.tokenizer, weights: m.weights, cfg: m.info.cfg };
  }
  // an imported model fixes the architecture and tokenizer; the rest of the config stays the user's
  const base: RunConfig = init ? { ...msg.cfg, ...pickArch(init.cfg) } : msg.cfg;
  let resume: Record<string, Checkpoint> = {};
  let first = 0;
  if (msg.resume) {
    const stored = await loadCheckpoints(msg.experimentId);
    if (stored) {
      resume = stored.runs;
      first = stored.seedIndex ?? 0;
      lastSaved = { id: msg.experimentId, seedIndex: first, runs: stored.runs };
    }
  }
  const t0 = performance.now();
  // seeds s, s + 1, …: each a whole experiment, one after another; a time budget covers them all
  for (let k = first; k < msg.seeds; k++) {
    disposeExperiment();
    const cfg: RunConfig = { ...base, seed: base.seed + k };
    const exp = planExperiment({
      cfg,
      x: new Uint8Array(msg.x.bytes),
      y: msg.y ? new Uint8Array(msg.y.bytes) : undefined,
      runs: msg.runs,
      control: msg.control,
      embed: embedModeFor(info.name),
      tokenizer: init?.tokenizer,
      init: init?.weights,
    });
    const runner = new Runner(exp, resume);
    resume = {};
    experiment = { id: msg.experimentId, exp, runner, seedIndex: k };
    await postPlan(msg, exp, runner, k);
    postTraces(msg.experimentId, runner, k);
    post({ type: 'models', models: modelInfos() });
    void baselines(msg.experimentId, exp, k);
    setState('running');
    const budget = () => (msg.maxSeconds > 0 ? Math.max(msg.maxSeconds - (performance.now() - t0) / 1000, 1e-3) : 0);
    let end = await trainLoop(budget(), k);
    while (end === 'lost') {
      await resumeAfterLoss(msg, k);
      setState(paused ? 'paused' : 'running');
      end = await trainLoop(budget(), k);
    }
    if (end !== 'done' || k === msg.seeds - 1) {
      setState(end);
      return;
    }
  }
}

async function postPlan(msg: Extract<ToWorker, { type: 'start' }>, exp: Experiment, runner: Runner, seedIndex: number): Promise<void> {
  const enc = new TextEncoder();
  const labels = [msg.x.name, msg.y?.name ?? '', exp.control === 'shuffle' ? 'X, shuffled' : "noise outside Y's symbols"];
  const sources = await Promise.all(
    exp.dataset.sources.map(async (s, i) => {
      const trainText = exp.cfg.tokenizer === 'byte' ? Uint8Array.from(s.train) : enc.encode(exp.dataset.tokenizer.decode(s.train));
      const all = s.train.length + s.val.length;
      return {
        name: s.name,
        label: labels[i],
        bytes: exp.cfg.tokenizer === 'byte' ? all : trainText.length + enc.encode(exp.dataset.tokenizer.decode(s.val)).length,
        tokens: all,
        trainTokens: s.train.length,
        trainBytes: trainText.length,
        valTokens: s.val.length,
        gzipTrainBytes: await gzipSize(trainText),
        trainWindows: new StreamPlan(exp.dataset, [i], exp.cfg).windowsPerPass,
      };
    }),
  );
  post({
    type: 'planned',
    experimentId: msg.experimentId,
    cfg: exp.cfg,
    params: paramCount(exp.cfg),
    sources,
    runs: exp.specs.map((s) => ({
      name: s.name,
      totalSteps: s.totalSteps,
      startStep: runner.get(s.name)?.step ?? 0,
      trainSources: s.trainSources.map((i) => exp.dataset.sources[i].name),
      after: s.after,
    })),
    control: exp.control,
    seedIndex,
    seeds: msg.seeds,
  });
}

/** Each resumed run's code so far, from its checkpoint: the page's copy may lag it by up to a log's steps. */
function postTraces(id: string, runner: Runner, seedIndex: number): void {
  for (const r of runner.runs) {
    if (r.step === 0) continue;
    const trace = Object.fromEntries(Object.entries(r.trace).map(([s, t]) => [s, { from: 0, ...structuredClone(t) }]));
    post({ type: 'traces', experimentId: id, seedIndex, run: r.name, trace });
  }
}

let baselineWorker: Worker | null | undefined; // null: nested workers are not available here
let baselineJob = 0;

/** gzip and the context model on X and Y in coding order, in a worker of their own (inline where a worker
 *  cannot start one): off the training path. Results of an earlier experiment or seed are dropped. */
async function baselines(id: string, exp: Experiment, seedIndex: number): Promise<void> {
  const job = ++baselineJob;
  const src = exp.dataset.sources;
  const ordered = (i: number) => codingOrder(exp.dataset, i, exp.cfg).bytes;
  const iX = src.findIndex((s) => s.name === 'X');
  const iY = src.findIndex((s) => s.name === 'Y');
  const jobs: BaselineJob[] = [];
  const x = iX >= 0 ? ordered(iX) : null;
  const y = iY >= 0 ? ordered(iY) : null;
  if (y) jobs.push({ source: 'Y', bytes: y, prime: x });
  if (x) jobs.push({ source: 'X', bytes: x, prime: y });
  const still = () => job === baselineJob && experiment?.id === id && experiment.seedIndex === seedIndex;
  if (baselineWorker === undefined) {
    try {
      baselineWorker = new Worker(new URL('./baselines.worker.ts', import.meta.url), { type: 'module' });
    } catch {
      baselineWorker = null;
    }
  }
  const w = baselineWorker;
  if (w) {
    w.onmessage = (e: MessageEvent<FromBaselines>) => {
      const m = e.data;
      if (m.id !== job || !still()) return;
      if ('error' in m) post({ type: 'error', fatal: false, message: `baselines: ${m.error}` });
      else post({ type: 'baselines', experimentId: id, seedIndex, curve: m.curve });
    };
    w.postMessage({ id: job, jobs } satisfies ToBaselines);
    return;
  }
  // no nested workers: gzip only (async, short), the context model would hold up training
  for (const j of jobs) {
    const curve = await baselineCurve(j, false);
    if (still()) post({ type: 'baselines', experimentId: id, seedIndex, curve });
  }
}

function pickArch(c: RunConfig): Partial<RunConfig> {
  const { preset, vocabSize, blockSize, nLayer, nHead, nEmbd, tokenizer } = c;
  return { preset, vocabSize, blockSize, nLayer, nHead, nEmbd, tokenizer };
}

type LoopEnd = 'done' | 'stopped' | 'failed' | 'lost'; // 'lost': the GPU device went, start() recovers

/** Trains the current seed's runs; says how it ended ('done': every run reached its last step). */
async function trainLoop(maxSeconds: number, seedIndex: number): Promise<LoopEnd> {
  try {
    return await trainRuns(maxSeconds, seedIndex);
  } catch (e) {
    if (await deviceWasLost()) return 'lost'; // a read from the lost device failed: not the run's fault
    throw e;
  }
}

async function trainRuns(maxSeconds: number, seedIndex: number): Promise<LoopEnd> {
  if (!experiment) return 'stopped';
  const { runner, exp } = experiment;
  const runs = runner.runs;
  const t0 = performance.now();
  let lastCheckpoint = performance.now();
  const lastStepPost = new Map<string, number>();
  let failed = false;
  const forward = (ev: TrainEvent) => {
    if (ev.type === 'step') {
      const now = performance.now();
      if (now - (lastStepPost.get(ev.run) ?? 0) < STEP_EVENT_MS && ev.step < ev.totalSteps) return;
      lastStepPost.set(ev.run, now);
    }
    if (ev.type === 'error') failed = true;
    post({ type: 'event', event: ev });
  };
  /** Waits while paused (checkpointed first); false when the device went meanwhile. */
  const hold = async (): Promise<boolean> => {
    if (!paused) return true;
    setState('paused');
    await checkpoint();
    await Promise.race([paused?.promise, lostSignal.promise]);
    if (lost) return false;
    if (!stopRequested) setState('running');
    return true;
  };
  if (lost || !(await hold())) return 'lost'; // paused when the device went: stay paused after recovery
  const gen = runner.train();
  const LOST = Symbol('lost');
  let gone = false;
  try {
    for (;;) {
      // a lost device may fail the step's reads, or leave them hanging: the loss itself ends the wait
      const step = gen.next();
      step.catch(() => {}); // if the loss wins the race, this one's failure is expected
      const next = await Promise.race([step, lostSignal.promise.then((): typeof LOST => LOST)]);
      if (next === LOST || lost) {
        gone = true;
        return 'lost';
      }
      if (next.done) break;
      forward(next.value);
      await macrotask();
      if (!(await hold())) {
        gone = true;
        return 'lost';
      }
      if (stopRequested) break;
      if (maxSeconds > 0 && (performance.now() - t0) / 1000 >= maxSeconds) {
        post({ type: 'state', state: 'running', message: `time budget of ${maxSeconds} s reached` });
        break;
      }
      if ((performance.now() - lastCheckpoint) / 1000 >= CHECKPOINT_SECONDS) {
        await checkpoint();
        lastCheckpoint = performance.now();
      }
    }
  } finally {
    if (gone) void gen.return(undefined).catch(() => {}); // it may be stuck on the lost device
    else await gen.return(undefined);
  }
  if (lost) return 'lost';
  for (const r of runs) {
    if (!(r.step > 0 && r.step < r.totalSteps)) continue;
    // the windows coded since the last log, so the page's traces hold what the summary counts
    await r.flush();
    const iv = r.takeInterval();
    if (r.step % exp.cfg.logEvery !== 0 && Number.isFinite(iv.lossBitsPerToken)) {
      const at = { run: r.name, step: r.step, tokens: r.tokens, tokensBySource: { ...r.tokensBySource } };
      forward({ type: 'log', ...at, ...iv, smoothLossBitsPerToken: r.smoothLoss, prequential: structuredClone(r.prequential), trace: r.takeTrace() });
    }
    // every run ends with a validation at the step it reached, so the table compares like with like
    if (r.lastVal) forward({ type: 'eval', run: r.name, step: r.step, tokens: r.tokens, tokensBySource: { ...r.tokensBySource }, val: await r.evaluate() });
  }
  await checkpoint();
  const finished = exp.specs.every((s) => (runner.get(s.name)?.step ?? 0) >= s.totalSteps);
  post({ type: 'summary', summary: summarize(exp, runs), seedIndex, finished });
  post({ type: 'models', models: modelInfos() });
  autoSurprisal();
  return failed ? 'failed' : finished ? 'done' : 'stopped';
}

function postSurprisal(requestId: number | null, experimentId: string, seedIndex: number, map: SurprisalMap): void {
  post({ type: 'surprisal', requestId, experimentId, seedIndex, map }, [map.bitsAlone.buffer, map.bitsGiven.buffer, map.bytes.buffer, map.partial.buffer]);
}

/** The map of where X helped Y once the runs stop: from a snapshot taken now, scored a chunk at a time so a
 *  next seed's training is not held up. */
function autoSurprisal(): void {
  if (!experiment || typeof mapRuns(experiment.runner) === 'string') return;
  const { id, exp, runner, seedIndex } = experiment;
  surprisalJob(exp, runner, exp.specs[0].embed, macrotask)
    .then((map) => map && postSurprisal(null, id, seedIndex, map))
    .catch((e) => lost || post({ type: 'error', fatal: false, message: `the map of where X helped Y: ${userMessage(e)}` }));
}

function modelFor(id: string): { params: Params; cfg: RunConfig; tokenizer: Tokenizer; step: number; label: string } {
  const m = imported.get(id);
  if (m) return { params: m.params, cfg: m.info.cfg, tokenizer: m.tokenizer, step: 0, label: m.info.label };
  const r = experiment?.runner.get(id);
  if (!r || !experiment) throw new UserError(`no model '${id}': train or import one first`);
  return { params: r.params, cfg: experiment.exp.cfg, tokenizer: experiment.exp.dataset.tokenizer, step: r.step, label: `run ${r.name}` };
}

async function handle(msg: ToWorker): Promise<void> {
  if (msg.type === 'sample' || msg.type === 'export' || msg.type === 'import' || msg.type === 'probe' || msg.type === 'surprisal') await recovering; // a lost device is being replaced
  switch (msg.type) {
    case 'init':
      await ensureBackend(msg.backend);
      return;
    case 'start':
      cancelSurprisal(); // a map of the experiment before is of no use now
      await probing.catch(() => {});
      stopRequested = true;
      paused?.resume();
      await training;
      await recovering;
      trainingActive = true;
      training = start(msg)
        .catch((e) => {
          post({ type: 'error', fatal: false, message: userMessage(e) });
          setState('failed', userMessage(e));
        })
        .finally(() => {
          trainingActive = false;
          if (lost) recovering = recovering.then(recoverIdle); // lost after the loop had ended
        });
      return;
    case 'pause':
      if (state === 'running' && !paused) {
        let resume = () => {};
        const promise = new Promise<void>((r) => (resume = r));
        paused = { resume, promise };
      }
      return;
    case 'resume':
      if (paused) {
        const p = paused;
        paused = null;
        p.resume();
      }
      return;
    case 'stop':
      stopRequested = true;
      if (paused) {
        const p = paused;
        paused = null;
        p.resume();
      }
      return;
    case 'probe': {
      // before Train only: beside a running experiment it would slow the runs and time nothing useful
      if (state === 'loading' || state === 'running' || state === 'paused') throw new UserError('an experiment is training: no duration probe now');
      // 'auto' may race the backends first (src/worker/auto.ts); its times of the winner serve as the probe's
      const p = ensureBackend(msg.backend, msg.cfg).then(() => racedTimes(msg.cfg, tf.getBackend()) ?? probeSteps(msg.cfg, msg.steps, embedModeFor(tf.getBackend())));
      probing = p;
      const times = await p;
      post({ type: 'probed', requestId: msg.requestId, backend: tf.getBackend(), ...times });
      return;
    }
    case 'sample': {
      const m = modelFor(msg.model);
      const embed = embedModeFor(tf.getBackend());
      const out = await generate(m.params, m.cfg, m.tokenizer, msg.prompt, { maxTokens: msg.maxTokens, temperature: msg.temperature, topK: msg.topK, seed: msg.seed }, embed);
      post({ type: 'sampled', requestId: msg.requestId, model: msg.model, text: out.text, tokens: out.tokens });
      return;
    }
    case 'export': {
      const m = modelFor(msg.model);
      const bytes = exportModel(m.cfg, m.tokenizer, await readWeights(m.params), { run: msg.model, step: String(m.step) });
      const buffer = bytes.buffer as ArrayBuffer;
      const fileName = `kxy-${msg.model.replace(/[^a-z0-9]+/gi, '-')}-${m.cfg.preset}-step${m.step}.safetensors`;
      post({ type: 'exported', requestId: msg.requestId, model: msg.model, fileName, bytes: buffer }, [buffer]);
      return;
    }
    case 'exportStored': {
      // from IndexedDB: no tensors, no backend; the page gives the config and tokenizer it kept
      const stored = await loadCheckpoints(msg.experimentId);
      const c = stored?.runs[msg.run];
      if (!c) throw new UserError(`no stored weights of run ${msg.run} in this experiment: its checkpoint was dropped or never written`);
      const bytes = exportModel(msg.cfg, tokenizerFromSpec(msg.tokenizer), c.weights, { run: msg.run, step: String(c.step), experiment: msg.experimentId });
      const buffer = bytes.buffer as ArrayBuffer;
      const fileName = `kxy-${msg.run.replace(/[^a-z0-9]+/gi, '-')}-${msg.cfg.preset}-step${c.step}.safetensors`;
      post({ type: 'exported', requestId: msg.requestId, model: msg.run, fileName, bytes: buffer }, [buffer]);
      return;
    }
    case 'import': {
      if (!backend) await ensureBackend('auto');
      const file = importModel(new Uint8Array(msg.bytes));
      const id = `import:${++importCount}`;
      const info: ModelInfo = { id, label: `${msg.fileName} (imported)`, cfg: file.cfg, tokenizer: file.tokenizer.spec, params: paramCount(file.cfg) };
      imported.set(id, { info, params: createParams(file.cfg, file.weights), tokenizer: file.tokenizer, weights: file.weights });
      post({ type: 'imported', requestId: msg.requestId, model: info });
      post({ type: 'models', models: modelInfos() });
      return;
    }
    case 'surprisal': {
      // scored a chunk of windows at a time from a snapshot: training, if any, goes on between chunks
      if (!experiment) throw new UserError('no trained models in the worker: train, or resume the experiment, first');
      const { id, exp, runner, seedIndex } = experiment;
      const map = await surprisalJob(exp, runner, exp.specs[0].embed, macrotask);
      if (!map) throw new UserError('a newer map was asked for');
      postSurprisal(msg.requestId, id, seedIndex, map);
      return;
    }
    case 'debug':
      // test hooks (see protocol.ts): faults on demand, for the fault tests only
      if (msg.action === 'loseDevice') {
        const device = tf.getBackend() === 'webgpu' ? (tf.backend() as { device?: GPUDevice }).device : undefined;
        if (!device) throw new UserError('test hook: no WebGPU device to lose');
        refuseWebGPU = msg.refuseWebGPU === true;
        device.destroy();
      } else if (msg.action === 'crash') {
        setTimeout(() => {
          throw new Error('test hook: an uncaught error');
        });
      } else scope.close();
      return;
    default:
      assertNever(msg);
  }
}

// storage full or missing: training goes on, and the page says that the runs will not survive a reload
onStorageProblem((message) => post({ type: 'storage', message }));

// alive: the page takes a long silence while training for a dead worker
setInterval(() => post({ type: 'beat' }), BEAT_MS);

scope.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  handle(msg).catch((err) => post({ type: 'error', fatal: false, message: userMessage(err), ...('requestId' in msg ? { requestId: msg.requestId } : {}) }));
};
