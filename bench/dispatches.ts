// WebGPU dispatches of one training step, by program class and output shape (runWebGPUProgram wrapped):
// where a step's dispatches go. Usage: VK_ICD_FILENAMES=… npx tsx bench/dispatches.ts [preset]
import * as tf from '@tensorflow/tfjs';
import { embedModeFor, selectBackend } from '../src/lib/backend.ts';
import { resolveConfig } from '../src/lib/config.ts';
import { planExperiment, startRuns } from '../src/lib/harness.ts';
import { installNodeWebGPU } from '../src/cli/node-webgpu.ts';
import { Rng } from '../src/lib/rng.ts';
tf.enableProdMode();
await installNodeWebGPU();
await selectBackend('webgpu');
const rng = new Rng(1);
const text = Uint8Array.from({ length: 400_000 }, () => 97 + rng.int(26));
const cfg = resolveConfig(process.argv[2] ?? 'nano', { replay: 0, steps: 100, logEvery: 1000, evalEvery: 100000 });
const [run] = startRuns(planExperiment({ cfg, x: text, embed: embedModeFor('webgpu') }));
run.trainStep(); await run.flush();
const be = tf.backend() as any;
const orig = be.runWebGPUProgram;
const counts = new Map<string, number>();
let n = 0;
be.runWebGPUProgram = function (p: any, ...r: any[]) { n++; const k = `${p.constructor.name} [${p.outputShape}]`; counts.set(k, (counts.get(k) ?? 0) + 1); return orig.call(this, p, ...r); };
run.trainStep();
be.runWebGPUProgram = orig;
await run.flush();
console.log('dispatches', n);
for (const [k, c] of [...counts].sort((a, b) => b[1] - a[1])) console.log(String(c).padStart(4), k);
process.exit(0);
