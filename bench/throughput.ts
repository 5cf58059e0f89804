// Training throughput of a preset on each backend: tokens per second over timed steps after warm-up.
// Usage: npx tsx bench/throughput.ts [--preset micro] [--steps 5] [--backends cpu,wasm,webgpu] [--file FILE]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { embedModeFor, selectBackend, type BackendName } from '../src/lib/backend.ts';
import { resolveConfig } from '../src/lib/config.ts';
import { planExperiment, startRuns } from '../src/lib/harness.ts';
import { installNodeWebGPU } from '../src/cli/node-webgpu.ts';
import { Rng } from '../src/lib/rng.ts';

const { values: a } = parseArgs({
  options: { preset: { type: 'string', default: 'micro' }, steps: { type: 'string', default: '5' }, warmup: { type: 'string', default: '2' }, backends: { type: 'string', default: 'cpu,wasm,webgpu' }, file: { type: 'string' } },
});
tf.enableProdMode();
const rng = new Rng(1);
const text = a.file ? new Uint8Array(readFileSync(a.file)) : Uint8Array.from({ length: 400_000 }, () => 97 + rng.int(26));
const steps = Number(a.steps);
const warmup = Number(a.warmup);

for (const backend of a.backends!.split(',') as BackendName[]) {
  if (backend === 'webgpu') await installNodeWebGPU();
  let info;
  try {
    info = await selectBackend(backend);
  } catch (e) {
    console.log(`${backend}: unavailable (${(e as Error).message})`);
    continue;
  }
  const cfg = resolveConfig(a.preset!, { replay: 0, steps: warmup + steps, logEvery: 1000, evalEvery: 100000 });
  const exp = planExperiment({ cfg, x: text, embed: embedModeFor(backend) });
  const [run] = startRuns(exp);
  for (let i = 0; i < warmup; i++) run.trainStep();
  await run.flush(); // sync point: warm-up done
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) run.trainStep();
  await run.flush(); // sync point: one at the end, as in training between logs
  const s = (performance.now() - t0) / 1000;
  const tokens = steps * cfg.batchSize * cfg.blockSize;
  console.log(`${a.preset} on ${backend}${info.adapter ? ` (${info.adapter})` : ''}: ${(tokens / s).toFixed(0)} tokens/s, ${((1000 * s) / steps).toFixed(0)} ms/step (B=${cfg.batchSize}, T=${cfg.blockSize}, ${steps} steps after ${warmup} warm-up)`);
  run.dispose();
}
process.exit(0);
