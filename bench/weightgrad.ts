// Which way round a weight gradient dyᵀ @ x runs fastest on wasm, with fresh operands each time as in training
// (XNNPACK packs a new right operand for every new tensor), and the column sum of a bias gradient.
// Usage: npx tsx bench/weightgrad.ts   (each line's time includes the adds that make the operands fresh)
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/lib/backend.ts';

tf.enableProdMode();
await selectBackend('wasm');
async function time(name: string, flops: number, f: () => tf.Tensor, reps = 8): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const r = tf.tidy(f);
    await r.data(); // sync point
    r.dispose();
  }
  const t0 = performance.now();
  let r!: tf.Tensor;
  for (let i = 0; i < reps; i++) {
    r = tf.tidy(f);
    if (i < reps - 1) r.dispose();
  }
  await r.data(); // sync point
  r.dispose();
  const ms = (performance.now() - t0) / reps;
  console.log(`${name.padEnd(46)} ${ms.toFixed(2).padStart(8)} ms ${flops ? `${(flops / ms / 1e6).toFixed(1)} GFLOP/s` : ''}`);
}
// (N, in, out): micro's c_fc, mlp c_proj, c_attn, attn c_proj, head; nano's c_fc and mlp c_proj
for (const [N, I, O] of [[4096, 128, 512], [4096, 512, 128], [4096, 128, 384], [4096, 128, 128], [4096, 128, 256], [1024, 64, 256], [1024, 256, 64]]) {
  const x0 = tf.randomNormal([N, I]);
  const dy0 = tf.randomNormal([N, O]);
  const F = 2 * N * I * O;
  await time(`adds only (${N},${I})+(${N},${O})`, 0, () => tf.add(tf.sum(tf.add(x0, 0)), tf.sum(tf.add(dy0, 0))));
  await time(`dW(${O},${I}) A=xT, B=dy, then T`, F, () => tf.transpose(tf.matMul(tf.transpose(tf.add(x0, 0)), tf.add(dy0, 0))));
  await time(`dW(${O},${I}) A=dyT, B=x`, F, () => tf.matMul(tf.transpose(tf.add(dy0, 0)), tf.add(x0, 0)));
  await time(`colSum ones @ dy (${N},${O})`, 0, () => tf.matMul(tf.ones([1, N]), tf.add(dy0, 0)));
  await time(`colSum sum(dy, 0) (${N},${O})`, 0, () => tf.sum(tf.add(dy0, 0), 0));
  tf.dispose([x0, dy0]);
}
process.exit(0);
