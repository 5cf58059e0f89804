// The X / Y / X+Y experiment: up to three runs with one tokenizer, seed, initialisation and set of
// hyperparameters, stepped in turn so they progress together, and the conditional code lengths they give.
import { RUN_NAMES, UserError, type RunConfig, type RunName } from './config.ts';
import { buildDataset, type Dataset, type RawSource } from './data/batches.ts';
import type { Tokenizer } from './data/tokenizer.ts';
import { bitsPerByte, conditional, type CodeLength, type Conditional } from './metrics/bits.ts';
import { initWeights, type EmbedMode, type Weights } from './model/gpt.ts';
import { Run, train, type Checkpoint, type RunSpec, type TrainEvent, type ValResult } from './train/loop.ts';

export interface ExperimentInput {
  cfg: Readonly<RunConfig>; // vocabSize is replaced by the tokenizer's
  x: Uint8Array;
  y?: Uint8Array;
  runs?: RunName[]; // default: every run the data allows
  embed: EmbedMode;
  tokenizer?: Tokenizer; // an imported model's tokenizer, instead of fitting one to the data
  init?: Weights; // an imported model's weights, instead of a fresh initialisation from the seed
}

export interface Experiment {
  cfg: Readonly<RunConfig>; // resolved, with the tokenizer's vocabSize
  dataset: Dataset;
  specs: RunSpec[];
}

/** Tokenizes the data with one shared tokenizer and defines the runs. Every run gets the same initial weights. */
export function planExperiment(input: ExperimentInput): Experiment {
  const raw: RawSource[] = [{ name: 'X', data: input.x }];
  if (input.y) raw.push({ name: 'Y', data: input.y });
  const runs = input.runs ?? (input.y ? RUN_NAMES : ['x']);
  for (const r of runs) {
    if (!RUN_NAMES.includes(r)) throw new UserError(`unknown run '${r}' (runs are x, y and xy)`);
    if (r !== 'x' && !input.y) throw new UserError(`run '${r}' needs a Y dataset`);
  }
  if (runs.length === 0) throw new UserError('no runs chosen');
  const dataset = buildDataset(raw, input.cfg, input.tokenizer);
  const cfg = Object.freeze({ ...input.cfg, vocabSize: dataset.tokenizer.vocabSize });
  const init = input.init ?? initWeights(cfg, cfg.seed);
  const sourcesOf: Record<RunName, number[]> = { x: [0], y: [1], xy: [0, 1] };
  const specs = runs.map((name) => ({ name, cfg, dataset, trainSources: sourcesOf[name], init, embed: input.embed }));
  return { cfg, dataset, specs };
}

/** Steps every run in turn, always advancing the one furthest behind (by fraction of its steps), so
 *  the curves grow together; xy takes as many steps as x and y together. */
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

export function startRuns(exp: Experiment, resume: Partial<Record<string, Checkpoint>> = {}): Run[] {
  return exp.specs.map((s) => new Run(s, resume[s.name]));
}

export interface RunSummary {
  steps: number;
  totalSteps: number;
  tokens: number;
  tokensBySource: Record<string, number>;
  val: Record<string, ValResult>;
  prequential: Record<string, CodeLength & { bitsPerByte: number }>;
}

export interface Summary {
  type: 'summary';
  preset: string;
  tokenizer: RunConfig['tokenizer'];
  vocabSize: number;
  seed: number;
  sources: Record<string, { trainTokens: number; valTokens: number }>;
  runs: Record<string, RunSummary>;
  /** 'Y|X': Y's code alone (run y) against Y's part of the joint code (run xy); 'X|Y' the other way. */
  conditional: Record<string, Conditional>;
}

export function summarize(exp: Experiment, runs: Run[]): Summary {
  const out: Summary = {
    type: 'summary',
    preset: exp.cfg.preset,
    tokenizer: exp.cfg.tokenizer,
    vocabSize: exp.cfg.vocabSize,
    seed: exp.cfg.seed,
    sources: Object.fromEntries(exp.dataset.sources.map((s) => [s.name, { trainTokens: s.train.length, valTokens: s.val.length }])),
    runs: {},
    conditional: {},
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
  const byName = new Map(runs.map((r) => [r.name, r]));
  const joint = byName.get('xy');
  for (const [target, other, alone] of [['Y', 'X', 'y'], ['X', 'Y', 'x']] as const) {
    const a = byName.get(alone)?.prequential[target];
    const g = joint?.prequential[target];
    if (a && g && a.tokens > 0 && g.tokens > 0) out.conditional[`${target}|${other}`] = conditional(a, g);
  }
  return out;
}
