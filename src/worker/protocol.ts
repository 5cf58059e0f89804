// The one contract between the page and the training worker: discriminated unions, handled with an
// exhaustive switch on both sides. One small message per event; large buffers are transferred, never copied.
import type { BackendInfo } from '../lib/backend.ts';
import type { BackendChoice, ControlKind, RunConfig, RunName } from '../lib/config.ts';
import type { TokenizerSpec } from '../lib/data/tokenizer.ts';
import type { Summary } from '../lib/harness.ts';
import type { SurprisalMap } from '../lib/metrics/surprisal.ts';
import type { TraceChunk, TrainEvent } from '../lib/train/loop.ts';

export interface SourceInput {
  name: string; // shown to the user: a file name or a bundled text's title
  bytes: ArrayBuffer;
}

export type ToWorker =
  | { type: 'init'; backend: BackendChoice } // start the backend early, so the first step does not wait for it
  | {
      type: 'start';
      experimentId: string; // checkpoints are stored under this id
      cfg: RunConfig; // before the tokenizer: vocabSize is set by the worker
      x: SourceInput;
      y: SourceInput | null;
      runs: RunName[];
      control: ControlKind; // the control text of run c (and c2y)
      seeds: number; // the whole experiment runs with seeds cfg.seed, cfg.seed + 1, …, one after another
      backend: BackendChoice;
      maxSeconds: number; // a time budget: 0 = none; steps are budgeted by cfg.passes or cfg.steps
      resume: boolean; // continue from the checkpoints stored for experimentId
      initFrom: string | null; // id of an imported model whose weights every run starts from
    }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  | { type: 'probe'; requestId: number; cfg: RunConfig; backend: BackendChoice; steps: number } // before Train: time a few steps of cfg, for an estimate
  | { type: 'sample'; requestId: number; model: string; prompt: string; maxTokens: number; temperature: number; topK: number; seed: number }
  | { type: 'export'; requestId: number; model: string }
  // a run's weights from a stored experiment's checkpoint (the history): replies 'exported'
  | { type: 'exportStored'; requestId: number; experimentId: string; run: string; cfg: RunConfig; tokenizer: TokenizerSpec }
  | { type: 'import'; requestId: number; fileName: string; bytes: ArrayBuffer }
  | { type: 'surprisal'; requestId: number } // the map of where X helped Y, now: y against x → y (or x+y) on Y's validation windows
  // Test hooks, used only by the fault tests (tests/browser/recover.test.ts, tests/e2e/crash.test.ts):
  // 'loseDevice' destroys the WebGPU device as a driver reset would (refuseWebGPU: and WebGPU does not come
  // back); 'crash' throws outside every handler; 'close' ends the worker silently, as a killed one goes.
  | { type: 'debug'; action: 'loseDevice' | 'crash' | 'close'; refuseWebGPU?: boolean };

export type WorkerState = 'idle' | 'loading' | 'running' | 'paused' | 'done' | 'stopped' | 'failed';

export interface PlannedRun {
  name: RunName;
  totalSteps: number;
  startStep: number; // > 0 when resumed from a checkpoint
  trainSources: string[];
  after: RunName | null; // the run whose final weights this one starts from
}

export interface PlannedSource {
  name: string; // 'X' or 'Y'
  label: string; // the file or text it came from
  bytes: number; // UTF-8 bytes used (after any cut)
  tokens: number;
  trainTokens: number;
  trainBytes: number;
  valTokens: number;
  gzipTrainBytes: number; // gzip's size for the training split: what the prequential code competes with
  trainWindows: number; // windows in the source's training stream (one pass)
}

/** A classical code of a source's training bytes in the order the runs' prequential code sends them (the
 *  runs on that source alone: y, x2y, c2y for Y), at a few points along the way. */
export interface BaselineCurve {
  source: string; // 'X' or 'Y'
  bytes: number[]; // bytes coded so far, increasing, the last = all of the training split
  gzipBytes: number[]; // gzip's size of that prefix, bytes
  ctxBits: number[] | null; // the adaptive context model's code of that prefix, bits (null: not computed)
  ctxGivenBits: number[] | null; // the same, having first learnt the other source (C(Y|X) for Y)
}

/** A model the worker holds and can sample from or export: a run of the experiment, or an imported file. */
export interface ModelInfo {
  id: string; // a run's name ('x', 'x2y', …) or 'import:<n>'
  label: string;
  cfg: RunConfig;
  tokenizer: TokenizerSpec;
  params: number;
}

export type FromWorker =
  | { type: 'backend'; info: BackendInfo }
  | {
      type: 'planned';
      experimentId: string;
      cfg: RunConfig; // this seed's: cfg.seed is the seed it runs with
      params: number;
      sources: PlannedSource[];
      runs: PlannedRun[];
      control: ControlKind;
      seedIndex: number; // 0 for the first seed, …
      seeds: number; // how many seeds the experiment runs
    }
  | { type: 'event'; event: TrainEvent }
  | { type: 'state'; state: WorkerState; message?: string }
  | { type: 'checkpointed'; experimentId: string; steps: Record<string, number>; at: number; bytes?: number } // bytes: the checkpoint's stored size
  | { type: 'summary'; summary: Summary; seedIndex: number; finished: boolean } // finished: every run of this seed reached its last step
  | { type: 'baselines'; experimentId: string; seedIndex: number; curve: BaselineCurve }
  // a resumed run's code so far, from its checkpoint (from = 0): the page's own copy may lag it by a log
  | { type: 'traces'; experimentId: string; seedIndex: number; run: string; trace: Record<string, TraceChunk> }
  | { type: 'models'; models: ModelInfo[] }
  | { type: 'storage'; message: string } // a checkpoint could not be saved (storage full or missing): runs will not survive a reload
  | { type: 'probed'; requestId: number; backend: string; firstStepSeconds: number; secondsPerStep: number; secondsPerEval: number } // secondsPerEval: one source
  | { type: 'sampled'; requestId: number; model: string; text: string; tokens: number }
  | { type: 'exported'; requestId: number; model: string; fileName: string; bytes: ArrayBuffer }
  | { type: 'imported'; requestId: number; model: ModelInfo }
  // where X helped Y, character by character; requestId null: computed by itself when the runs ended
  | { type: 'surprisal'; requestId: number | null; experimentId: string; seedIndex: number; map: SurprisalMap }
  | { type: 'error'; message: string; requestId?: number; fatal: boolean }
  | { type: 'recovery'; message: string } // the GPU device was lost: when, and where and on what training resumed
  | { type: 'beat' }; // every BEAT_MS while the worker lives: a silent worker is a dead one

/** How often the worker says it is alive (the page's watchdog allows several missed beats). */
export const BEAT_MS = 2000;

export function assertNever(x: never): never {
  throw new Error(`unhandled message: ${JSON.stringify(x)}`);
}
