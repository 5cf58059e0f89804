// Plateau escapes, step by step (issue 10 §6): trains one run of the default experiment through the real
// Run.trainStep and, before each step, scores that step's batch at the current weights token by token. A flip
// shows as a handful of tokens near 20+ bits/token one step before the batch's mean jumps. With --dump it writes
// the weights and the batch of the chosen steps as JSON, for bench/reference/flip_residual.py (an independent
// float64 forward that splits the residual under ln_f into its constant part and the rest).
// Usage: npx tsx bench/flip.ts [--preset nano] [--pair markov-seeds] [--seed 1338] [--run c2y] [--until 32]
//          [--dump 28,29,30,31] [--dir DIR] [--set KEY=VALUE …]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { findPair } from '../datasets/index.ts';
import { parseSet } from '../src/cli/common.ts';
import { embedModeFor, selectBackend } from '../src/lib/backend.ts';
import { resolveConfig, type RunName } from '../src/lib/config.ts';
import { gatherWindows } from '../src/lib/data/batches.ts';
import { planExperiment } from '../src/lib/harness.ts';
import { forward, readWeights, tokenNll } from '../src/lib/model/gpt.ts';
import { Run } from '../src/lib/train/loop.ts';

const { values: a } = parseArgs({
  options: {
    preset: { type: 'string', default: 'nano' },
    pair: { type: 'string', default: 'markov-seeds' },
    seed: { type: 'string', default: '1338' },
    run: { type: 'string', default: 'c2y' },
    until: { type: 'string', default: '32' },
    dump: { type: 'string', default: '' },
    dir: { type: 'string', default: join(import.meta.dirname, 'results', 'flip') },
    set: { type: 'string', multiple: true, default: [] },
  },
});

tf.enableProdMode();
const info = await selectBackend('wasm');
const pair = findPair(a.pair!);
if (!pair) throw new Error(`unknown pair '${a.pair}'`);
const { x, y } = await pair.load();
const cfg = resolveConfig(a.preset, { ...parseSet(a.set!), seed: Number(a.seed) });
const exp = planExperiment({ cfg, x, y, embed: embedModeFor(info.name), control: 'shuffle' });
const specOf = (n: string) => {
  const s = exp.specs.find((p) => p.name === n);
  if (!s) throw new Error(`no run '${n}' in the plan (${exp.specs.map((p) => p.name).join(', ')})`);
  return s;
};
const target = specOf(a.run as RunName);
let init = exp.init;
if (target.after) {
  // the run it continues from, trained to the end as the experiment trains it
  const before = new Run({ ...specOf(target.after), init });
  while (before.step < before.totalSteps) before.trainStep();
  await before.flush();
  init = await readWeights(before.params); // sync point
  before.dispose();
}
const run = new Run({ ...target, init });
const dumps = new Set(a.dump!.split(',').filter(Boolean).map(Number));
if (dumps.size) mkdirSync(a.dir!, { recursive: true });
const T = cfg.blockSize;
const log2 = (nats: number) => nats / Math.LN2;
console.log(`${a.preset} ${a.pair} seed ${a.seed} run ${a.run}: ${run.totalSteps} steps; ${info.note}`);
console.log('step | loss at these weights, bits/token | tokens over 10 bits | worst token: bits, row (new or replayed), position | gradient norm');
while (run.step < Math.min(Number(a.until), run.totalSteps)) {
  const s = run.step; // this step trains on batch s; the loop logs it as step s + 1
  const { items, windows } = run.stepWindows(s);
  const { idx, tgt } = gatherWindows(run.dataset, windows, T);
  const nllT = tf.tidy(() =>
    tokenNll(forward(run.params, cfg, tf.tensor2d(idx, [windows.length, T], 'int32'), { embed: run.embed }), tf.tensor2d(tgt, [windows.length, T], 'int32')),
  );
  const nll = (await nllT.data()) as Float32Array; // sync point
  nllT.dispose();
  let worst = 0;
  for (let i = 1; i < nll.length; i++) if (nll[i] > nll[worst]) worst = i;
  const row = Math.floor(worst / T);
  if (dumps.has(s + 1)) {
    const w = await readWeights(run.params);
    const shapes = Object.fromEntries(Object.entries(run.params).map(([n, p]) => [n, p.shape]));
    const file = join(a.dir!, `step-${s + 1}.json`);
    writeFileSync(file, JSON.stringify({ step: s + 1, B: windows.length, T, nHead: cfg.nHead, shapes, idx: [...idx], tgt: [...tgt], weights: Object.fromEntries(Object.entries(w).map(([n, v]) => [n, [...v]])) }));
  }
  run.trainStep();
  await run.flush();
  const { lossBitsPerToken, gradNorm } = run.takeInterval();
  const mean = log2(nll.reduce((p, q) => p + q, 0) / nll.length);
  if (Math.abs(mean - lossBitsPerToken) > 1e-3) throw new Error(`step ${s + 1}: scored ${mean} but the loop logged ${lossBitsPerToken} bits/token`);
  console.log(
    `${s + 1} | ${mean.toFixed(3)} | ${nll.filter((v) => log2(v) > 10).length} of ${nll.length} | ${log2(nll[worst]).toFixed(1)}, ` +
      `row ${row} (${row < items.length ? 'new' : 'replayed'}), position ${worst % T} | ${gradNorm.toFixed(2)}`,
  );
}
if (dumps.size) console.log(`weights and batches of steps ${[...dumps].join(', ')} in ${a.dir}`);
process.exit(0);
