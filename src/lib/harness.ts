// The experiment: runs x, y, xy, x2y, y2x, c and c2y over one tokenizer, seed, initialisation and set of
// hyperparameters, stepped in turn so they progress together, and the conditional code lengths they give.
import { RUN_NAMES, UserError, type ControlKind, type RunConfig, type RunName } from './config.ts';
import { StreamPlan, buildDataset, type Dataset, type RawSource, type Source } from './data/batches.ts';
import type { Tokenizer } from './data/tokenizer.ts';
import { compare, type JointSummary } from './compare.ts';
import { bitsPerByte, type CodeLength, type Conditional, type Transfer } from './metrics/bits.ts';
import { initWeights, readWeights, type EmbedMode, type Weights } from './model/gpt.ts';
import { Rng, deriveSeed } from './rng.ts';
import { Run, train, type Checkpoint, type RunSpec, type TrainEvent, type ValResult } from './train/loop.ts';

export interface ExperimentInput {
  cfg: Readonly<RunConfig>; // vocabSize is replaced by the tokenizer's
  x: Uint8Array;
  y?: Uint8Array;
  runs?: RunName[]; // default: every run the data allows (with c and c2y unless control is 'none')
  control?: ControlKind; // default 'shuffle'
  embed: EmbedMode;
  tokenizer?: Tokenizer; // an imported model's tokenizer, instead of fitting one to the data
  init?: Weights; // an imported model's weights, instead of a fresh initialisation from the seed
}

/** A run of the plan. `after`: the run whose final weights it starts from (with a fresh optimizer). */
export interface PlannedSpec extends Omit<RunSpec, 'init'> {
  name: RunName;
  after: RunName | null;
  totalSteps: number;
}

export interface Experiment {
  cfg: Readonly<RunConfig>; // resolved, with the tokenizer's vocabSize
  dataset: Dataset; // sources X, Y, and C (the control) when c runs
  control: ControlKind;
  specs: PlannedSpec[];
  init: Weights; // the shared initial weights of every run that does not start from another
}

const TRAIN: Record<RunName, { train: string[]; after: RunName | null }> = {
  x: { train: ['X'], after: null },
  y: { train: ['Y'], after: null },
  xy: { train: ['X', 'Y'], after: null },
  x2y: { train: ['Y'], after: 'x' },
  y2x: { train: ['X'], after: 'y' },
  c: { train: ['C'], after: null },
  c2y: { train: ['Y'], after: 'c' },
};

/** The runs to train, in plan order: the requested ones plus the runs they start from. */
export function resolveRuns(requested: RunName[] | undefined, hasY: boolean, control: ControlKind): RunName[] {
  const want = new Set<RunName>(requested ?? (hasY ? RUN_NAMES.filter((r) => control !== 'none' || (r !== 'c' && r !== 'c2y')) : ['x']));
  for (const r of want) {
    if (!RUN_NAMES.includes(r)) throw new UserError(`unknown run '${r}' (runs are ${RUN_NAMES.join(', ')})`);
    if (r !== 'x' && !hasY) throw new UserError(`run '${r}' needs a Y dataset`);
    if ((r === 'c' || r === 'c2y') && control === 'none') throw new UserError(`run '${r}' needs a control: use --control shuffle or noise`);
  }
  for (const r of [...want]) for (let a = TRAIN[r].after; a; a = TRAIN[a].after) want.add(a);
  if (want.size === 0) throw new UserError('no runs chosen');
  return RUN_NAMES.filter((r) => want.has(r));
}

/** The control text C, X's length in tokens: X's training tokens in a seeded random order, or uniform noise
 *  over the symbols that never occur in Y. Built after tokenizing, so every run shares one tokenizer. */
export function controlSource(dataset: Dataset, kind: Exclude<ControlKind, 'none'>, seed: number): Source {
  const [x, y] = dataset.sources;
  const rng = new Rng(deriveSeed(seed, `control:${kind}`));
  if (kind === 'shuffle') {
    const perm = (a: Int32Array) => Int32Array.from(rng.shuffle(Array.from(a)));
    return { name: 'C', train: perm(x.train), val: perm(x.val) };
  }
  const inY = new Uint8Array(dataset.tokenizer.vocabSize);
  for (const t of y.train) inY[t] = 1;
  for (const t of y.val) inY[t] = 1;
  const alphabet = [...inY.keys()].filter((t) => !inY[t]);
  if (alphabet.length < 2) {
    throw new UserError(`the noise control needs symbols that never occur in Y, and the vocabulary has ${alphabet.length}: use the shuffle control`);
  }
  const draw = (n: number) => Int32Array.from({ length: n }, () => alphabet[rng.int(alphabet.length)]);
  return { name: 'C', train: draw(x.train.length), val: draw(x.val.length) };
}

/** Tokenizes the data with one shared tokenizer and defines the runs. Every run that does not start from
 *  another gets the same initial weights. */
export function planExperiment(input: ExperimentInput): Experiment {
  const raw: RawSource[] = [{ name: 'X', data: input.x }];
  if (input.y) raw.push({ name: 'Y', data: input.y });
  const control: ControlKind = input.y ? (input.control ?? 'shuffle') : 'none';
  const runs = resolveRuns(input.runs, input.y !== undefined, control);
  const dataset = buildDataset(raw, input.cfg, input.tokenizer);
  const cfg = Object.freeze({ ...input.cfg, vocabSize: dataset.tokenizer.vocabSize });
  if (control !== 'none' && runs.includes('c')) dataset.sources.push(controlSource(dataset, control, cfg.seed));
  const index = (name: string) => dataset.sources.findIndex((s) => s.name === name);
  const evalSources = dataset.sources.filter((s) => s.name !== 'C').map((s) => index(s.name));
  const init = input.init ?? initWeights(cfg, cfg.seed);
  const specs = runs.map((name): PlannedSpec => {
    const trainSources = TRAIN[name].train.map(index);
    const totalSteps = new StreamPlan(dataset, trainSources, cfg).totalSteps;
    return { name, cfg, dataset, trainSources, evalSources, embed: input.embed, after: TRAIN[name].after, totalSteps };
  });
  return { cfg, dataset, control, specs, init };
}

/** The runs that start from the shared init (not from another run), for a quick look or a test. */
export function startRuns(exp: Experiment): Run[] {
  return exp.specs.filter((s) => s.after === null).map((s) => new Run({ ...s, init: exp.init }));
}

/** Steps independent runs in turn, always advancing the one furthest behind. (Runner also handles runs
 *  that start from another.) */
export async function* interleave(runs: Run[]): AsyncGenerator<TrainEvent> {
  const gens = runs.map((r) => ({ run: r, gen: train(r), done: false }));
  try {
    for (;;) {
      const live = gens.filter((g) => !g.done);
      if (live.length === 0) return;
      const next = live.reduce((a, b) => (b.run.step / b.run.totalSteps < a.run.step / a.run.totalSteps ? b : a));
      const r = await next.gen.next();
      if (r.done) next.done = true;
      else yield r.value;
    }
  } finally {
    for (const g of gens) if (!g.done) await g.gen.return(undefined);
  }
}

/** Trains an experiment's runs, interleaved so the curves grow together. A run that starts from another
 *  begins when that one has finished. Each run advances in turn by its place along its chain
 *  (x then x2y, c then c2y, y then y2x), so every chain ends at about the same time. */
export class Runner {
  readonly runs: Run[] = []; // started runs, in the order they started
  private readonly failed = new Set<string>();

  constructor(
    readonly exp: Experiment,
    private readonly resume: Partial<Record<string, Checkpoint>> = {},
  ) {
    for (const spec of exp.specs) {
      const ck = resume[spec.name];
      if (ck || spec.after === null) this.runs.push(new Run({ ...spec, init: exp.init }, ck));
    }
  }

  get(name: string): Run | undefined {
    return this.runs.find((r) => r.name === name);
  }

  /** Steps before this run along its chain, and the chain's length. */
  private chain(spec: PlannedSpec): { offset: number; total: number } {
    let offset = 0;
    for (let a = spec.after; a; a = this.spec(a).after) offset += this.spec(a).totalSteps;
    const after = (name: RunName): number => Math.max(0, ...this.exp.specs.filter((s) => s.after === name).map((s) => s.totalSteps + after(s.name)));
    return { offset, total: offset + spec.totalSteps + after(spec.name) };
  }

  private spec(name: RunName): PlannedSpec {
    return this.exp.specs.find((s) => s.name === name)!;
  }

  /** Starts the runs whose predecessor has finished; reports those whose predecessor failed. */
  private async startReady(): Promise<TrainEvent[]> {
    const events: TrainEvent[] = [];
    for (const spec of this.exp.specs) {
      if (this.get(spec.name) || this.failed.has(spec.name) || spec.after === null) continue;
      const before = this.get(spec.after);
      if (this.failed.has(spec.after)) {
        this.failed.add(spec.name);
        events.push({ type: 'error', run: spec.name, step: 0, message: `run ${spec.after} failed, so ${spec.name}, which starts from it, cannot run` });
      } else if (before && before.step >= before.totalSteps) {
        await before.flush();
        this.runs.push(new Run({ ...spec, init: await readWeights(before.params) })); // sync point
      }
    }
    return events;
  }

  async *train(): AsyncGenerator<TrainEvent> {
    const gens = new Map<string, AsyncGenerator<TrainEvent>>();
    const done = new Set<string>();
    try {
      for (;;) {
        for (const ev of await this.startReady()) yield ev;
        const live = this.runs.filter((r) => !done.has(r.name));
        if (live.length === 0) return;
        const progress = (r: Run) => {
          const c = this.chain(this.spec(r.name as RunName));
          return (c.offset + r.step) / c.total;
        };
        const next = live.reduce((a, b) => (progress(b) < progress(a) ? b : a));
        let gen = gens.get(next.name);
        if (!gen) gens.set(next.name, (gen = train(next)));
        const r = await gen.next();
        if (r.done) {
          done.add(next.name);
          if (next.step < next.totalSteps) this.failed.add(next.name);
        } else {
          if (r.value.type === 'error') this.failed.add(next.name);
          yield r.value;
        }
      }
    } finally {
      for (const [name, g] of gens) if (!done.has(name)) await g.return(undefined);
    }
  }

  dispose(): void {
    for (const r of this.runs) r.dispose();
  }
}

export interface RunSummary {
  steps: number;
  totalSteps: number;
  tokens: number;
  tokensBySource: Record<string, number>;
  val: Record<string, ValResult>;
  prequential: Record<string, CodeLength & { bitsPerByte: number }>;
}

export type { JointSummary } from './compare.ts';

export interface Summary {
  type: 'summary';
  preset: string;
  tokenizer: RunConfig['tokenizer'];
  vocabSize: number;
  seed: number;
  replay: number;
  control: ControlKind;
  sources: Record<string, { trainTokens: number; valTokens: number; trainWindows: number }>;
  runs: Record<string, RunSummary>;
  /** 'Y|X': run y against x2y (learning X first); 'Y|X joint': y against xy's Y part (learning both at once);
   *  'Y|C': y against c2y (the control); 'X|Y' and 'X|Y joint' the other way. Always over the same windows. */
  conditional: Record<string, Conditional>;
  transfer: Transfer | null; // C(Y|C) − C(Y|X)
  joint: JointSummary | null;
}

export function summarize(exp: Experiment, runs: Run[]): Summary {
  const windowsOf = (name: string) => {
    const s = exp.dataset.sources.findIndex((src) => src.name === name);
    return s < 0 ? 0 : new StreamPlan(exp.dataset, [s], exp.cfg).windowsPerPass;
  };
  const out: Summary = {
    type: 'summary',
    preset: exp.cfg.preset,
    tokenizer: exp.cfg.tokenizer,
    vocabSize: exp.cfg.vocabSize,
    seed: exp.cfg.seed,
    replay: exp.cfg.replay,
    control: exp.control,
    sources: Object.fromEntries(
      exp.dataset.sources.map((s) => [s.name, { trainTokens: s.train.length, valTokens: s.val.length, trainWindows: windowsOf(s.name) }]),
    ),
    runs: {},
    conditional: {},
    transfer: null,
    joint: null,
  };
  for (const r of runs) {
    out.runs[r.name] = {
      steps: r.step,
      totalSteps: r.totalSteps,
      tokens: r.tokens,
      tokensBySource: { ...r.tokensBySource },
      val: r.lastVal ?? {},
      prequential: Object.fromEntries(Object.entries(r.prequential).map(([k, c]) => [k, { ...c, bitsPerByte: bitsPerByte(c) }])),
    };
  }
  const trace = (run: string, source: string) => runs.find((r) => r.name === run)?.trace[source];
  Object.assign(out, compare(trace, windowsOf));
  return out;
}
