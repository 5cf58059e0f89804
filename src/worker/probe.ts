// Times a few training steps and one validation of a config on the worker's current backend, so the page can
// estimate an experiment's duration before Train. The text is synthetic: a step's cost depends on the
// model's shapes, batch and replay, not on what it reads.
import type { RunConfig } from '../lib/config.ts';
import { buildDataset } from '../lib/data/batches.ts';
import { initWeights, type EmbedMode } from '../lib/model/gpt.ts';
import { Run } from '../lib/train/loop.ts';

export interface ProbeTimes {
  firstStepSeconds: number; // the first step: it also compiles the kernels, so it is not counted below
  secondsPerStep: number; // the mean of the next `steps` steps
  secondsPerEval: number; // one validation of one source (evalWindows windows)
}

/** Printable bytes from a fixed generator: enough for the steps and one source's validation windows. */
function syntheticText(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = 32 + (s >>> 25); // 32…159: 128 symbols
  }
  return out;
}

export async function probeSteps(config: RunConfig, steps: number, embed: EmbedMode): Promise<ProbeTimes> {
  // a byte vocabulary: a char tokenizer's is set from the data and is about as large or smaller
  const cfg: RunConfig = { ...config, tokenizer: 'byte', vocabSize: 256, maxBytes: 0, steps: steps + 1 };
  const T = cfg.blockSize;
  const trainTokens = (steps + 1) * cfg.batchSize * (T + 1);
  const valTokens = (cfg.evalWindows + 1) * (T + 1);
  const n = Math.ceil(Math.max(trainTokens / (1 - cfg.valFraction), valTokens / cfg.valFraction)) + 2 * (T + 1);
  const dataset = buildDataset([{ name: 'X', data: syntheticText(n) }], cfg);
  const run = new Run({ name: 'probe', cfg, dataset, trainSources: [0], evalSources: [0], init: initWeights(cfg, cfg.seed), embed });
  try {
    let t = performance.now();
    run.trainStep();
    await run.flush(); // sync point
    const firstStepSeconds = (performance.now() - t) / 1000;
    t = performance.now();
    for (let i = 0; i < steps; i++) run.trainStep();
    await run.flush(); // sync point
    const secondsPerStep = (performance.now() - t) / 1000 / steps;
    t = performance.now();
    await run.evaluate(); // sync point
    return { firstStepSeconds, secondsPerStep, secondsPerEval: (performance.now() - t) / 1000 };
  } finally {
    run.dispose();
  }
}
