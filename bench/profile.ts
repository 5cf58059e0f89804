// Where a training step's time goes: tf.profile of one step, kernels grouped by name and input shapes, with
// their times (exact on cpu and wasm, which run each kernel synchronously; webgpu gives counts only).
// Usage: npx tsx bench/profile.ts [--preset nano] [--backend wasm] [--top 30] [--by name|shape]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { embedModeFor, selectBackend, type BackendName } from '../src/lib/backend.ts';
import { resolveConfig } from '../src/lib/config.ts';
import { planExperiment, startRuns } from '../src/lib/harness.ts';
import { installNodeWebGPU } from '../src/cli/node-webgpu.ts';
import { Rng } from '../src/lib/rng.ts';

const { values: a } = parseArgs({ options: { preset: { type: 'string', default: 'nano' }, backend: { type: 'string', default: 'wasm' }, top: { type: 'string', default: '30' }, by: { type: 'string', default: 'name' }, steps: { type: 'string', default: '3' } } });
tf.enableProdMode();
const backend = a.backend as BackendName;
if (backend === 'webgpu') await installNodeWebGPU();
await selectBackend(backend);
const rng = new Rng(1);
const text = Uint8Array.from({ length: 400_000 }, () => 97 + rng.int(26));
const cfg = resolveConfig(a.preset!, { replay: 0, steps: 100, logEvery: 1000, evalEvery: 100000 });
const [run] = startRuns(planExperiment({ cfg, x: text, embed: embedModeFor(backend) }));
for (let i = 0; i < 2; i++) run.trainStep();
await run.flush(); // sync point: warm-up
const steps = Number(a.steps);
const agg = new Map<string, { n: number; ms: number }>();
let total = 0;
let kernels = 0;
const t0 = performance.now();
for (let s = 0; s < steps; s++) {
  const prof = await tf.profile(() => run.trainStep());
  kernels += prof.kernels.filter((k) => tf.getKernel(k.name, backend)).length;
  for (const k of prof.kernels) {
    if (!tf.getKernel(k.name, backend)) continue; // customGrad and op scopes wrap real kernels: count those once
    const key = a.by === 'shape' ? `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}` : k.name;
    const e = agg.get(key) ?? { n: 0, ms: 0 };
    e.n += 1;
    e.ms += k.kernelTimeMs as number;
    total += k.kernelTimeMs as number;
    agg.set(key, e);
  }
}
await run.flush();
const wall = (performance.now() - t0) / steps;
console.log(`${a.preset} on ${backend}: ${kernels / steps} kernels/step, kernel time ${(total / steps).toFixed(1)} ms/step, wall ${wall.toFixed(1)} ms/step (profiled)`);
const rows = [...agg.entries()].sort((x, y) => y[1].ms - x[1].ms).slice(0, Number(a.top));
for (const [k, e] of rows) console.log(`${(e.ms / steps).toFixed(2).padStart(9)} ms ${(100 * e.ms / total).toFixed(1).padStart(5)}% ${String(e.n / steps).padStart(5)}×  ${k}`);
run.dispose();
process.exit(0);
