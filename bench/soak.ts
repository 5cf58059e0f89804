// Soak (issue 9 §4): trains nano for thousands of steps through the real loop (harness Runner → train()), with
// the worker's checkpoint reads every 30 s, and samples memory every N steps: tf.memory(), the JS heap (after a
// forced GC), rss, and on WebGPU the tfjs buffer pool. Fails (exit 1) if anything grows after warm-up.
// Usage: npx tsx bench/soak.ts [--backends wasm,webgpu] [--steps wasm=10000,webgpu=300] [--every wasm=100,webgpu=20]
//          [--warmup wasm=1000,webgpu=100] [--set KEY=VALUE …] [--parallel] [--out DIR]   (or: npm run bench -- --soak …)
//        npx tsx bench/soak.ts --check FILE.json [--check-warmup STEPS]   (re-checks a written series, e.g. a cut-short one)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { PAIRS, DEFAULT_PAIR_ID } from '../datasets/index.ts';
import { embedModeFor, selectBackend, type BackendName } from '../src/lib/backend.ts';
import { resolveConfig } from '../src/lib/config.ts';
import { Runner, planExperiment } from '../src/lib/harness.ts';
import { parseSet } from '../src/cli/common.ts';
import { SWIFTSHADER_ICD, installNodeWebGPU, webgpuHint } from '../src/cli/node-webgpu.ts';

export interface Sample {
  step: number;
  seconds: number; // since the run started
  numTensors: number;
  numBytes: number; // tf.memory(): bytes of all live tensors
  numDataBuffers: number;
  heapUsed: number; // bytes, after a full GC
  rss: number; // bytes
  external: number; // bytes (wasm's memory and ArrayBuffers live here)
  wasmHeap?: number; // bytes of the wasm module's linear memory (it only grows)
  pool?: { used: number; free: number; bytesUsed: number; bytesAllocated: number; freeByKind?: PoolKinds }; // WebGPU buffer manager
}

/** The pool's free buffers by what they are for: tensor storage, a dispatch's uniforms (released at the next
 *  queue submit, so at most a submit batch of them are out at once), and read-back staging (one per pending read);
 *  keys = distinct (size, usage) pairs, maxPerKey = the most free buffers of any one key. */
export interface PoolKinds {
  storage: number;
  uniform: number;
  staging: number;
  keys: number;
  maxPerKey: number;
  newKeys: string[]; // keys first seen since the previous sample, as `${bytes}_${usage}`: which sizes are new
}

export interface Check {
  quantity: string;
  rule: string;
  first: number; // first sample after warm-up
  last: number;
  min: number;
  max: number;
  start: number; // the very first sample (before warm-up)
  ok: boolean;
  detail: string;
}

// Tolerances for what a GC or an allocator may move: tensors and tfjs bytes must be exactly flat.
const TOL = {
  heap: { slope: 0.02, lastQuarter: 0.1 }, // growth fitted over the second half < 2% of the first post-warm-up value; last quarter's max ≤ +10%
  rss: { slope: 0.05, lastQuarter: 0.15 },
  pool: { slope: 0, lastQuarter: 0 }, // buffers are pooled and reused: after warm-up the pool must not grow at all
};

const argv = process.argv.slice(2).filter((x) => x !== '--soak');
const { values: a } = parseArgs({
  args: argv,
  options: {
    backends: { type: 'string', default: 'wasm,webgpu' },
    steps: { type: 'string', default: 'wasm=10000,webgpu=300' },
    every: { type: 'string', default: 'wasm=100,webgpu=20' },
    warmup: { type: 'string', default: 'wasm=1000,webgpu=100' },
    'checkpoint-seconds': { type: 'string', default: '30' },
    preset: { type: 'string', default: 'nano' },
    set: { type: 'string', multiple: true, default: [] }, // config overrides, e.g. replay=0 for a cheaper step
    parallel: { type: 'boolean', default: false },
    out: { type: 'string', default: join(import.meta.dirname, 'results') },
    child: { type: 'string' }, // internal: one backend in this process
    check: { type: 'string' },
    'check-warmup': { type: 'string' },
  },
});
const perBackend = (s: string) => Object.fromEntries(s.split(',').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
const machine = { host: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version };

if (a.check) {
  const f = JSON.parse(readFileSync(a.check, 'utf8'));
  const warmup = a['check-warmup'] !== undefined ? Number(a['check-warmup']) : f.warmupSteps;
  console.log(`${a.check}: ${f.backend}, ${f.samples.length} samples up to step ${f.samples.at(-1)?.step} of ${f.steps}, warm-up ${warmup} steps`);
  const checks = checkSeries(f.samples, warmup, f.backend);
  printSeries(f.backend, f.samples, checks);
  process.exit(checks.every((c) => c.ok) ? 0 : 1);
}

if (!a.child) {
  // one process per backend: a backend's buffers and the wasm heap never mix with the other's
  const backends = a.backends!.split(',');
  const env = { ...process.env, ...(existsSync(SWIFTSHADER_ICD) && !process.env.VK_ICD_FILENAMES ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {}) };
  const self = join(import.meta.dirname, 'soak.ts');
  const runChild = (b: string) =>
    new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [...process.execArgv, self, ...argv, '--child', b], { stdio: 'inherit', env });
      p.on('exit', (code) => resolve(code ?? 1));
    });
  const codes = a.parallel ? await Promise.all(backends.map(runChild)) : [];
  if (!a.parallel) for (const b of backends) codes.push(await runChild(b));
  backends.forEach((b, i) => console.log(`soak ${b}: ${codes[i] === 0 ? 'flat' : codes[i] === 1 ? 'GREW' : `failed (exit ${codes[i]})`}`));
  process.exit(codes.every((c) => c === 0) ? 0 : 1);
}

// ---- one backend --------------------------------------------------------------------------------
const backend = a.child as BackendName;
const steps = perBackend(a.steps!)[backend];
const every = perBackend(a.every!)[backend];
const warmupSteps = perBackend(a.warmup!)[backend];
if (!(steps > 0 && every > 0 && warmupSteps >= 0 && warmupSteps < steps)) throw new Error(`bad --steps/--every/--warmup for ${backend}`);
setFlagsFromString('--expose-gc'); // so the heap is sampled after a full collection, not mid-garbage
const gc = runInNewContext('gc') as () => void;

tf.enableProdMode();
if (backend === 'webgpu') await installNodeWebGPU();
const info = await selectBackend(backend).catch((e: Error) => {
  throw new Error(e.message + (backend === 'webgpu' ? webgpuHint() : ''));
});
const pair = PAIRS.find((p) => p.id === DEFAULT_PAIR_ID)!;
const { x, y } = await pair.load();
// run x of the default pair, for `steps` steps (many passes: the first is coded, the rest only train). WebGPU's
// 300 steps would end inside the second pass, so it takes X's first 50,000 bytes (44 steps a pass): a pass's end
// changes the sizes the loop reads back, and the pool keeps a buffer per size, so the soak must see several passes.
const sets = backend === 'webgpu' && !a.set!.some((s) => s.startsWith('maxBytes=')) ? [...a.set!, 'maxBytes=50000'] : a.set!;
const cfg = resolveConfig(a.preset!, { ...parseSet(sets), steps });
const exp = planExperiment({ cfg, x, y, runs: ['x'], embed: embedModeFor(info.name) });
const runner = new Runner(exp);
const run = runner.get('x')!;
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const file = join(a.out!, `soak-${backend}-${a.preset}-${stamp}.json`);
mkdirSync(a.out!, { recursive: true });
process.stderr.write(`soak ${backend}: ${info.note}; ${a.preset}${sets.length ? ` (${sets.join(' ')})` : ''}, run x of '${pair.id}', ${steps} steps, a sample every ${every}, warm-up ${warmupSteps}; writing ${file}\n`);

const samples: Sample[] = [];
const t0 = performance.now();
let lastCheckpoint = t0;
let checkpoints = 0;
let rollbacks = 0;
let error: string | null = null;
const write = (checks: Check[] | null) =>
  writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, backend, note: info.note, preset: a.preset, overrides: sets, pair: pair.id, steps, every, warmupSteps, checkpointSeconds: Number(a['checkpoint-seconds']), checkpoints, rollbacks, error, tolerances: TOL, checks, samples }, null, 1));

const seenKeys = new Set<string>();
function poolKinds(bm: unknown): PoolKinds | undefined {
  const free = (bm as { freeBuffers?: Map<string, unknown[]> }).freeBuffers;
  if (!(free instanceof Map)) return undefined;
  const k: PoolKinds = { storage: 0, uniform: 0, staging: 0, keys: 0, maxPerKey: 0, newKeys: [] };
  for (const [key, list] of free) {
    if (!seenKeys.has(key)) k.newKeys.push(key);
    seenKeys.add(key);
    const usage = Number(key.split('_')[1]); // tfjs keys its pool `${size}_${usage}`
    const kind = usage & 0x40 ? 'uniform' : usage & 0x1 ? 'staging' : 'storage'; // GPUBufferUsage.UNIFORM, MAP_READ
    k[kind] += list.length;
    if (list.length > 0) k.keys += 1;
    k.maxPerKey = Math.max(k.maxPerKey, list.length);
  }
  return k;
}

function poolText(p: NonNullable<Sample['pool']>): string {
  const k = p.freeByKind;
  const kinds = k ? `storage ${k.storage}, uniform ${k.uniform}, staging ${k.staging}; ${k.keys} keys, at most ${k.maxPerKey} per key${k.newKeys.length ? `; new: ${k.newKeys.join(' ')}` : ''}` : '?';
  return `pool ${p.used} used + ${p.free} free buffers (${kinds}), ${(p.bytesAllocated / 1e6).toFixed(2)} MB allocated`;
}

async function sample(step: number): Promise<void> {
  for (const r of runner.runs) await r.flush(); // nothing of a step is pending when we count // sync point
  gc();
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  const mu = process.memoryUsage();
  const s: Sample = { step, seconds: (performance.now() - t0) / 1000, numTensors: m.numTensors, numBytes: m.numBytes, numDataBuffers: m.numDataBuffers, heapUsed: mu.heapUsed, rss: mu.rss, external: mu.external };
  const be = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } } & Partial<WebGPUBackend>;
  if (be.wasm?.HEAPU8) s.wasmHeap = be.wasm.HEAPU8.buffer.byteLength;
  if (info.name === 'webgpu' && be.bufferManager) {
    const bm = be.bufferManager;
    s.pool = { used: bm.getNumUsedBuffers(), free: bm.getNumFreeBuffers(), bytesUsed: bm.numBytesUsed, bytesAllocated: bm.numBytesAllocated, freeByKind: poolKinds(bm) };
  }
  samples.push(s);
  process.stderr.write(`${backend} step ${step}: ${s.numTensors} tensors, ${(s.numBytes / 1e6).toFixed(3)} MB tfjs, heap ${(s.heapUsed / 1e6).toFixed(1)} MB, rss ${(s.rss / 1e6).toFixed(1)} MB${s.pool ? `, ${poolText(s.pool)}` : ''}, ${s.seconds.toFixed(0)} s\n`);
  write(null);
}

await sample(0);
for await (const ev of runner.train()) {
  if (ev.type === 'rollback') rollbacks += 1;
  if (ev.type === 'error') error = ev.message;
  if (ev.type !== 'log') continue;
  // the worker checkpoints every 30 s: read the whole state back, as it does, and drop it
  if (performance.now() - lastCheckpoint >= Number(a['checkpoint-seconds']) * 1000) {
    await run.checkpoint(); // sync point
    checkpoints += 1;
    lastCheckpoint = performance.now();
  }
  if (ev.step % every === 0) await sample(ev.step);
}
if (samples.at(-1)!.step !== run.step) await sample(run.step);
const checks = checkSeries(samples, warmupSteps, backend);
if (error) checks.push({ quantity: 'training', rule: 'no error event', first: 0, last: 0, min: 0, max: 0, start: 0, ok: false, detail: error });
write(checks);
printSeries(backend, samples, checks);
process.stderr.write(`${checkpoints} checkpoint reads, ${rollbacks} rollbacks; wrote ${file}\n`);
runner.dispose();
process.exit(checks.every((c) => c.ok) ? 0 : 1); // Dawn keeps the event loop alive

// ---- the checks ---------------------------------------------------------------------------------

/** Least-squares slope of v against step, per step. */
function slope(pts: { step: number; v: number }[]): number {
  const n = pts.length;
  if (n < 2) return 0;
  const mx = pts.reduce((p, q) => p + q.step, 0) / n;
  const my = pts.reduce((p, q) => p + q.v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const q of pts) {
    sxy += (q.step - mx) * (q.v - my);
    sxx += (q.step - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

function checkSeries(samples: Sample[], warmup: number, backend: string): Check[] {
  const after = samples.filter((s) => s.step >= warmup);
  const checks: Check[] = [];
  if (after.length < 3) {
    const n = after.length;
    checks.push({ quantity: 'samples', rule: 'at least 3 samples after warm-up', first: n, last: n, min: n, max: n, start: samples.length, ok: false, detail: `only ${n} sample(s) at or after step ${warmup}` });
  }
  const series = (name: string, get: (s: Sample) => number | undefined) => {
    const all = samples.map((s) => ({ step: s.step, v: get(s) })).filter((p): p is { step: number; v: number } => p.v !== undefined);
    const pts = after.map((s) => ({ step: s.step, v: get(s) })).filter((p): p is { step: number; v: number } => p.v !== undefined);
    if (pts.length === 0) return null;
    const vs = pts.map((p) => p.v);
    return { name, all, pts, first: vs[0], last: vs.at(-1)!, min: Math.min(...vs), max: Math.max(...vs), start: all[0].v };
  };
  const exact = (name: string, get: (s: Sample) => number | undefined) => {
    const s = series(name, get);
    if (!s) return;
    const ok = s.min === s.max;
    checks.push({ quantity: name, rule: 'exactly flat after warm-up', first: s.first, last: s.last, min: s.min, max: s.max, start: s.start, ok, detail: ok ? 'flat' : `varies from ${s.min} to ${s.max}` });
  };
  const tolerant = (name: string, get: (s: Sample) => number | undefined, tol: { slope: number; lastQuarter: number }, unit: 'MB' | 'buffers' = 'MB') => {
    const s = series(name, get);
    if (!s) return;
    const half = s.pts.filter((p) => p.step >= s.pts[0].step + (s.pts.at(-1)!.step - s.pts[0].step) / 2);
    const span = half.length > 1 ? half.at(-1)!.step - half[0].step : 0;
    const growth = slope(half) * span; // what the second half's trend adds over its own length
    const quarter = s.pts.filter((p) => p.step >= s.pts[0].step + (3 * (s.pts.at(-1)!.step - s.pts[0].step)) / 4);
    const qmax = Math.max(...quarter.map((p) => p.v));
    const okSlope = growth <= tol.slope * s.first;
    const okQuarter = qmax <= (1 + tol.lastQuarter) * s.first;
    checks.push({
      quantity: name,
      rule:
        tol.slope === 0 && tol.lastQuarter === 0
          ? 'no growth after warm-up (second-half trend ≤ 0, last-quarter max ≤ the first value after warm-up)'
          : `second-half trend ≤ ${(100 * tol.slope).toFixed(0)}% and last-quarter max ≤ +${(100 * tol.lastQuarter).toFixed(0)}% of the first value after warm-up`,
      first: s.first,
      last: s.last,
      min: s.min,
      max: s.max,
      start: s.start,
      ok: okSlope && okQuarter,
      detail: `second half trend ${growth >= 0 ? '+' : ''}${unit === 'MB' ? (growth / 1e6).toFixed(3) : growth.toFixed(1)} ${unit} over ${span} steps (${((100 * growth) / s.first).toFixed(2)}%); last quarter max ${((100 * (qmax - s.first)) / s.first).toFixed(2)}% over the first`,
    });
  };
  exact('tf.memory().numTensors', (s) => s.numTensors);
  exact('tf.memory().numBytes', (s) => s.numBytes);
  exact('tf.memory().numDataBuffers', (s) => s.numDataBuffers);
  tolerant('heapUsed (after GC)', (s) => s.heapUsed, TOL.heap);
  tolerant('rss', (s) => s.rss, TOL.rss);
  if (backend === 'wasm') tolerant('wasm heap', (s) => s.wasmHeap, TOL.pool);
  if (backend === 'webgpu') {
    exact('pool: used buffers', (s) => s.pool?.used);
    tolerant('pool: free buffers', (s) => s.pool?.free, TOL.pool, 'buffers');
    tolerant('pool: free storage buffers', (s) => s.pool?.freeByKind?.storage, TOL.pool, 'buffers');
    tolerant('pool: bytes allocated', (s) => s.pool?.bytesAllocated, TOL.pool);
  }
  return checks;
}

function printSeries(backend: string, samples: Sample[], checks: Check[]): void {
  const mb = (x: number | undefined) => (x === undefined ? '–' : (x / 1e6).toFixed(3));
  console.log(`\nsoak ${backend}: step, tensors, tfjs MB, heap MB (after GC), rss MB, external MB, ${backend === 'webgpu' ? 'pool used/free buffers, pool MB allocated' : 'wasm heap MB'}`);
  for (const s of samples) {
    const tail = s.pool ? `${s.pool.used}/${s.pool.free}  ${mb(s.pool.bytesAllocated)}` : mb(s.wasmHeap);
    console.log(`  ${String(s.step).padStart(6)}  ${s.numTensors}  ${mb(s.numBytes)}  ${mb(s.heapUsed)}  ${mb(s.rss)}  ${mb(s.external)}  ${tail}`);
  }
  console.log(`checks (${backend}):`);
  for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.quantity}: start ${c.start}, after warm-up first ${c.first}, last ${c.last}, min ${c.min}, max ${c.max}; ${c.rule}: ${c.detail}`);
}
