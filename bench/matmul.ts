// Why the model multiplies untransposed matrices only: tfjs matmul speed with and without transpose
// flags, per backend. Usage: npx tsx bench/matmul.ts [--backends wasm,cpu] [--m 4096 --k 128 --n 512]
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../src/lib/backend.ts';
import { installNodeWebGPU } from '../src/cli/node-webgpu.ts';

const { values: a } = parseArgs({ options: { backends: { type: 'string', default: 'wasm,cpu' }, m: { type: 'string', default: '4096' }, k: { type: 'string', default: '128' }, n: { type: 'string', default: '512' }, reps: { type: 'string', default: '5' } } });
tf.enableProdMode();
const [m, k, n, reps] = [a.m, a.k, a.n, a.reps].map(Number);
for (const backend of a.backends!.split(',') as BackendName[]) {
  if (backend === 'webgpu') await installNodeWebGPU();
  await selectBackend(backend);
  const x = tf.randomNormal([m, k]);
  const w = tf.randomNormal([n, k]);
  const wt = tf.transpose(w);
  const dy = tf.randomNormal([m, n]);
  const cases: [string, () => tf.Tensor][] = [
    [`(${m}x${k}) @ (${k}x${n})           plain`, () => tf.matMul(x, wt)],
    [`(${m}x${k}) @ (${n}x${k})ᵀ          transposeB`, () => tf.matMul(x, w, false, true)],
    [`(${m}x${n})ᵀ @ (${m}x${k}) → (${n}x${k}) transposeA`, () => tf.matMul(dy, x, true, false)],
    [`transpose(${m}x${n}) then plain matmul`, () => tf.matMul(tf.transpose(dy), x)],
  ];
  for (const [name, f] of cases) {
    for (let i = 0; i < 2; i++) tf.tidy(f); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) {
      const r = tf.tidy(f);
      await r.data(); // sync point
      r.dispose();
    }
    const ms = (performance.now() - t0) / reps;
    console.log(`${backend.padEnd(6)} ${name.padEnd(44)} ${ms.toFixed(1).padStart(8)} ms  ${((2 * m * k * n) / ms / 1e6).toFixed(2)} GFLOP/s`);
  }
  tf.dispose([x, w, wt, dy]);
}
process.exit(0);
