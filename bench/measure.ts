// One measurement: a preset's training step on one backend, timed whole and by phase (forward, backward,
// optimizer), with its kernel and dispatch counts, achieved GFLOP/s and tf.memory(). bench/run.ts calls
// it once per child process, so each backend starts fresh (wasm's thread count is fixed at its start).
import * as tf from '@tensorflow/tfjs';
import { embedModeFor, selectBackend, type BackendName } from '../src/lib/backend.ts';
import { paramCount, resolveConfig } from '../src/lib/config.ts';
import { gatherWindows } from '../src/lib/data/batches.ts';
import { planExperiment, startRuns } from '../src/lib/harness.ts';
import { flopsPerStep, forward, tokenNll, tokenZLoss } from '../src/lib/model/gpt.ts';
import { installNodeWebGPU } from '../src/cli/node-webgpu.ts';
import { installNodeWasmThreads } from '../src/cli/node-wasm-threads.ts';
import { Rng } from '../src/lib/rng.ts';

export interface MeasureOptions {
  backend: BackendName;
  preset: string;
  steps: number; // timed steps; 0 = as many as fit in `seconds`, at least 2
  seconds: number; // time budget for the timed steps when steps = 0
  warmup: number;
  threads?: number; // wasm: > 1 runs the threaded-SIMD build with that many threads
  phases: boolean; // time forward, backward and optimizer separately
  maxStepSeconds?: number; // give up after the first step if it took longer
}

export interface Measurement {
  backend: BackendName;
  preset: string;
  adapter: string | null;
  note: string;
  threads: number | null; // wasm: threads XNNPACK got
  B: number;
  T: number;
  params: number;
  steps: number; // timed steps
  tokensPerSecond: number;
  msPerStep: number;
  phasesMs: { forward: number; backward: number; optimizer: number; other: number } | null; // per step
  kernelsPerStep: { forward: number; backward: number; optimizer: number; step: number }; // tfjs kernels run (tf.profile)
  dispatchesPerStep: number | null; // webgpu: compute passes dispatched in one step (counted at runWebGPUProgram)
  flopsPerStep: number; // matmul FLOPs (flopsPerStep in src/lib/model/gpt.ts)
  gflops: number; // flopsPerStep / step time, GFLOP/s
  memory: { bytes: number; tensors: number; peakBytes: number }; // tf.memory() after a step; the step's peak (tf.profile)
}

const sync = async (t: tf.Tensor): Promise<void> => {
  // sync point: a value the last kernel wrote; on webgpu this waits for every queued dispatch
  const one = tf.tidy(() => tf.slice(tf.reshape(t, [-1]), [0], [1]));
  await one.data();
  one.dispose();
};

/** Milliseconds per call of f over n calls after one warm-up; f returns tensors to dispose, the last one synced. */
async function timeIt(n: number, f: () => tf.Tensor[]): Promise<number> {
  let out = f();
  await sync(out[out.length - 1]);
  tf.dispose(out);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    out = f();
    if (i < n - 1) tf.dispose(out);
  }
  await sync(out[out.length - 1]);
  const ms = (performance.now() - t0) / n;
  tf.dispose(out);
  return ms;
}

/** Kernels tfjs ran inside f, counting only real backend kernels (not customGrad or op scopes). */
async function countKernels(backend: string, f: () => void): Promise<{ kernels: number; peakBytes: number }> {
  const p = await tf.profile(f);
  return { kernels: p.kernels.filter((k) => tf.getKernel(k.name, backend) != null).length, peakBytes: p.peakBytes };
}

/** Dispatches on webgpu: every program the backend runs goes through runWebGPUProgram. */
function countDispatches<T>(f: () => T): { value: T; dispatches: number } {
  const backend = tf.backend() as unknown as { runWebGPUProgram: (...args: unknown[]) => unknown };
  const original = backend.runWebGPUProgram;
  let dispatches = 0;
  backend.runWebGPUProgram = function (this: unknown, ...args: unknown[]) {
    dispatches++;
    return original.apply(this, args);
  };
  try {
    return { value: f(), dispatches };
  } finally {
    backend.runWebGPUProgram = original;
  }
}

export async function measure(o: MeasureOptions): Promise<Measurement> {
  tf.enableProdMode();
  if (o.backend === 'webgpu') await installNodeWebGPU();
  // wasm: --threads N > 1 starts tfjs's threaded-SIMD build on worker_threads (src/cli/node-wasm-threads.ts)
  if (o.backend === 'wasm' && o.threads && o.threads > 1) installNodeWasmThreads(o.threads);
  const info = await selectBackend(o.backend);
  const threads = o.backend === 'wasm' ? (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount() : null;
  const rng = new Rng(1);
  const text = Uint8Array.from({ length: 400_000 }, () => 32 + rng.int(95)); // printable bytes, uniform
  const cfg0 = resolveConfig(o.preset, { replay: 0, steps: 100_000, logEvery: 1_000_000, evalEvery: 1_000_000 });
  const exp = planExperiment({ cfg: cfg0, x: text, embed: embedModeFor(o.backend) });
  const cfg = exp.cfg;
  const [run] = startRuns(exp);
  const B = cfg.batchSize;
  const T = cfg.blockSize;

  // warm-up: shader compilation, wasm operator caches
  let t0 = performance.now();
  for (let i = 0; i < Math.max(1, o.warmup); i++) {
    run.trainStep();
    await run.flush(); // sync point
    const s = (performance.now() - t0) / 1000;
    if (o.maxStepSeconds && s > o.maxStepSeconds) {
      run.dispose();
      throw new Error(`skipped: the first step took ${s.toFixed(0)} s (limit ${o.maxStepSeconds} s, --max-step-seconds)`);
    }
  }
  t0 = performance.now();
  run.trainStep();
  await run.flush(); // sync point
  const firstMs = performance.now() - t0;
  const steps = o.steps > 0 ? o.steps : Math.max(2, Math.min(50, Math.floor((o.seconds * 1000) / firstMs)));

  t0 = performance.now();
  for (let i = 0; i < steps; i++) run.trainStep();
  await run.flush(); // sync point: one at the end, as training between logs
  const msPerStep = (performance.now() - t0) / steps;

  // one more step, counted: dispatches (webgpu), kernels, memory
  let dispatchesPerStep: number | null = null;
  if (o.backend === 'webgpu') {
    dispatchesPerStep = countDispatches(() => run.trainStep()).dispatches;
    await run.flush();
  }
  const stepCount = await countKernels(o.backend, () => run.trainStep());
  await run.flush();
  const mem = tf.memory();

  // the phases, on one fixed batch, as trainStep computes them
  const { idx, tgt } = gatherWindows(run.dataset, run.plan.batch(0).map((i) => i.window), T);
  const x = tf.tensor2d(idx, [B, T], 'int32');
  const y = tf.tensor2d(tgt, [B, T], 'int32');
  const vars = Object.values(run.params);
  const lossOf = () => {
    const logits = forward(run.params, cfg, x, { train: true, embed: run.embed });
    const ce = tf.mean(tokenNll(logits, y)) as tf.Scalar;
    return cfg.zLoss > 0 ? (tf.add(ce, tf.mean(tokenZLoss(logits, cfg.zLoss))) as tf.Scalar) : ce; // the training objective, as trainStep
  };
  const fwd = () => [tf.tidy(lossOf)];
  const fwdBwd = () =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(lossOf, vars);
      return [value, ...vars.map((v) => grads[v.name])];
    });
  const gradsList = fwdBwd().slice(1);
  const grads = Object.fromEntries(Object.keys(run.params).map((n, i) => [n, gradsList[i]]));
  const opt = () => [run.opt.step(grads, 1e-4)];
  const kernels = {
    forward: (await countKernels(o.backend, () => tf.dispose(fwd()))).kernels,
    backward: 0,
    optimizer: (await countKernels(o.backend, () => tf.dispose(opt()))).kernels,
    step: stepCount.kernels,
  };
  kernels.backward = (await countKernels(o.backend, () => tf.dispose(fwdBwd()))).kernels - kernels.forward;

  let phasesMs: Measurement['phasesMs'] = null;
  if (o.phases) {
    const n = Math.max(1, Math.min(steps, 10));
    const f = await timeIt(n, fwd);
    const fb = await timeIt(n, fwdBwd);
    // the optimizer's last write is the last parameter: sync on it
    const op = await timeIt(n, () => [run.opt.step(grads, 1e-4), vars[vars.length - 1].clone()]);
    phasesMs = { forward: f, backward: fb - f, optimizer: op, other: msPerStep - fb - op };
  }
  tf.dispose([x, y, ...gradsList]);
  run.dispose();

  const flops = flopsPerStep(cfg, B).step;
  return {
    backend: o.backend,
    preset: o.preset,
    adapter: info.adapter,
    note: info.note,
    threads,
    B,
    T,
    params: paramCount(cfg),
    steps,
    tokensPerSecond: (B * T * 1000) / msPerStep,
    msPerStep,
    phasesMs,
    kernelsPerStep: kernels,
    dispatchesPerStep,
    flopsPerStep: flops,
    gflops: flops / msPerStep / 1e6,
    memory: { bytes: mem.numBytes, tensors: mem.numTensors, peakBytes: stepCount.peakBytes },
  };
}
