// `npm run bench`: every backend × preset (bench/measure.ts, each in its own process and under the CPU lock),
// this machine's limits (bench/reference: numpy sgemm at the model's shapes, the PyTorch twin), kxy's ratio to
// each, optionally the page (bench/page.ts); prints a table and writes JSON under bench/results/.
// Usage: npx tsx bench/run.ts [--backends cpu,wasm,webgpu] [--presets nano,micro] [--seconds 10] [--steps 0]
//        [--max-step-seconds 30] [--threads 1,2 (wasm)] [--no-reference] [--twin-device cuda] [--page wasm] [--no-lock]
//        [--out DIR] [--quick]. On a GPU machine, bench/gpu.sh runs it bundled, with --twin-device cuda.
//        npx tsx bench/run.ts --soak [options of bench/soak.ts]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Measurement, MeasureOptions } from './measure.ts';

// `npm run bench -- --soak [soak options]`: the memory soak (bench/soak.ts) instead; it exits when done
if (process.argv.includes('--soak')) await import('./soak.ts');

// KXY_BENCH_DIR: where bench/ is when this runs as a bundle (bench/gpu.sh)
const here = process.env.KXY_BENCH_DIR ?? import.meta.dirname;
const root = join(here, '..');
const { values: a } = parseArgs({
  options: {
    backends: { type: 'string', default: 'cpu,wasm,webgpu' },
    presets: { type: 'string', default: 'nano,micro' },
    steps: { type: 'string', default: '0' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    'max-step-seconds': { type: 'string', default: '30' },
    threads: { type: 'string' },
    'no-reference': { type: 'boolean', default: false },
    'no-phases': { type: 'boolean', default: false },
    page: { type: 'string' },
    'no-lock': { type: 'boolean', default: false },
    lock: { type: 'string', default: process.env.KXY_LOCK ?? '/tmp/kxy-cpu.lock' },
    out: { type: 'string', default: join(here, 'results') },
    quick: { type: 'boolean', default: false }, // 2 timed steps, no phases: a smoke run
    'twin-device': { type: 'string', default: 'cpu' }, // cuda: the twin in fp32 eager and in bf16 + SDPA, no sgemm
    child: { type: 'string' }, // internal: one measurement, as JSON options
  },
});

if (a.child) {
  const { measure } = await import('./measure.ts');
  const o = JSON.parse(a.child) as MeasureOptions & { maxStepSeconds: number };
  try {
    console.log('BENCH_RESULT ' + JSON.stringify(await measure(o)));
  } catch (e) {
    console.log('BENCH_RESULT ' + JSON.stringify({ error: (e as Error).message }));
  }
  process.exit(0); // Dawn keeps the event loop alive
}

const hasFlock = !a['no-lock'] && spawnSync('flock', ['--version']).status === 0;
/** Runs a command, under the shared CPU lock when there is one, and returns its stdout. */
function locked(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { out: string; err: string; status: number | null } {
  const [c, as] = hasFlock ? ['flock', [a.lock!, cmd, ...args]] : [cmd, args];
  const r = spawnSync(c, as, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { out: r.stdout ?? '', err: r.stderr ?? '', status: r.status };
}
const lastJson = (s: string, prefix = ''): any => {
  const line = s.split('\n').reverse().find((l) => l.startsWith(prefix + '{'));
  return line ? JSON.parse(line.slice(prefix.length)) : null;
};

const cores = availableParallelism();
// wasm is measured once per thread count; > 1 runs tfjs's threaded-SIMD build (src/cli/node-wasm-threads.ts)
const threadList: (number | undefined)[] = a.threads ? a.threads.split(',').map(Number) : [undefined];
const presets = a.presets!.split(',');
const results: (Measurement | { backend: string; preset: string; error: string })[] = [];
const vulkan = existsSync('/usr/lib/chromium/vk_swiftshader_icd.json') && !process.env.VK_ICD_FILENAMES ? { VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' } : {};

for (const preset of presets) {
  for (const backend of a.backends!.split(',')) for (const threads of backend === 'wasm' ? threadList : [undefined]) {
    const o = {
      backend,
      preset,
      steps: a.quick ? 2 : Number(a.steps),
      seconds: Number(a.seconds),
      warmup: Number(a.warmup),
      threads,
      phases: !a.quick && !a['no-phases'],
      maxStepSeconds: Number(a['max-step-seconds']),
    };
    process.stderr.write(`measuring ${backend}${threads ? ` ×${threads}` : ''} ${preset}… `);
    const r = locked(process.execPath, [...process.execArgv, process.argv[1], '--child', JSON.stringify(o)], backend === 'webgpu' ? vulkan : {});
    const m = lastJson(r.out, 'BENCH_RESULT ') ?? { error: `exit ${r.status}: ${r.err.trim().split('\n').slice(-3).join(' ')}` };
    process.stderr.write(m.error ? `${m.error}\n` : `${m.tokensPerSecond.toFixed(0)} tokens/s\n`);
    results.push(m.error ? { backend, preset, error: m.error } : m);
  }
}

// ---- references: this machine's limits at the same shapes ----------------------------------------
interface Reference {
  kind: 'sgemm' | 'twin';
  preset: string;
  threads: number;
  variant: string; // 'fp32' (× twin compares with the fastest fp32 one), or 'bf16+sdpa'
  tokensPerSecond?: number; // the twin's training rate; for sgemm, the rate if a step were its matmuls alone
  gflops?: number;
  detail?: unknown;
  error?: string;
}
const references: Reference[] = [];
if (!a['no-reference']) {
  // numpy's speed depends on its BLAS (Debian's /usr/bin/python3 numpy links the reference BLAS, ~5 GFLOP/s here;
  // a pip numpy bundles OpenBLAS); the twin needs torch. Each uses the first python that can import what it needs.
  const pythons = [process.env.KXY_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const canImport = (py: string, mod: string) => spawnSync(py, ['-c', `import ${mod}`]).status === 0;
  const fastestNumpy = () => pythons.filter((py) => canImport(py, 'numpy')).map((py) => ({ py, blas: spawnSync(py, ['-c', 'import numpy, sys; numpy.show_config()'], { encoding: 'utf8' }).stdout ?? '' })).sort((x, y) => Number(/openblas|mkl|blis|accelerate/i.test(y.blas)) - Number(/openblas|mkl|blis|accelerate/i.test(x.blas)))[0]?.py ?? 'python3';
  const sgemmPython = fastestNumpy();
  const twinPython = pythons.find((py) => canImport(py, 'torch')) ?? 'python3';
  const twin = join(here, 'reference/torch_twin.py');
  const runTwin = (preset: string, t: number, variant: string, args: string[], env: NodeJS.ProcessEnv) => {
    process.stderr.write(`reference: PyTorch twin ${preset}, ${variant}, ${t} thread(s)… `);
    const w = locked(twinPython, [twin, '--bench', '--preset', preset, '--threads', String(t), ...args], env);
    const wj = lastJson(w.out);
    const tps = wj?.tokens_per_s ?? wj?.tokensPerSecond;
    references.push(typeof tps === 'number' ? { kind: 'twin', preset, threads: t, variant, tokensPerSecond: tps, detail: { ...wj, python: twinPython } } : { kind: 'twin', preset, threads: t, variant, error: w.err.trim().split('\n').at(-1) || `exit ${w.status}` });
    process.stderr.write(typeof tps === 'number' ? `${tps.toFixed(0)} tokens/s\n` : 'failed\n');
  };
  const cuda = a['twin-device'] === 'cuda';
  const threadCounts = cuda ? [cores] : [...new Set([1, cores])];
  for (const preset of presets) {
    for (const t of threadCounts) {
      const env = { OMP_NUM_THREADS: String(t), OPENBLAS_NUM_THREADS: String(t), MKL_NUM_THREADS: String(t) };
      if (cuda) {
        // the GPU's yardsticks: PyTorch fp32 eager (the targets' reference) and bf16 autocast with fused attention
        runTwin(preset, t, 'fp32', ['--device', 'cuda', '--steps', '50'], env);
        runTwin(preset, t, 'bf16+sdpa', ['--device', 'cuda', '--steps', '50', '--dtype', 'bf16', '--sdpa'], env);
        continue;
      }
      process.stderr.write(`reference: sgemm ${preset}, ${t} thread(s)… `);
      const s = locked(sgemmPython, [join(here, 'reference/sgemm.py'), '--preset', preset, '--threads', String(t)], env);
      const sj = lastJson(s.out);
      references.push(sj ? { kind: 'sgemm', preset, threads: t, variant: 'fp32', tokensPerSecond: sj.tokensPerSecond, gflops: sj.gflops, detail: { ...sj, python: sgemmPython } } : { kind: 'sgemm', preset, threads: t, variant: 'fp32', error: s.err.trim().split('\n').at(-1) || `exit ${s.status}` });
      process.stderr.write(sj ? `${sj.gflops.toFixed(1)} GFLOP/s\n` : 'failed\n');
      runTwin(preset, t, 'fp32', [], env);
    }
  }
}

// ---- the page (optional): bench/page.ts trains the default pair in chromium ---------------------
const page: { backend: string; tokensPerSecond: number[]; line: string }[] = [];
for (const backend of a.page ? a.page.split(',') : []) {
  process.stderr.write(`page: ${backend}… `);
  const r = locked(process.execPath, [...process.execArgv, join(here, 'page.ts'), 'train', '--backend', backend, '--steps', '30', '--seconds', '240']);
  const line = r.out.split('\n').find((l) => l.startsWith('training alone')) ?? r.err.trim().split('\n').at(-1) ?? '';
  const tps = [...line.matchAll(/(\d+) tokens\/s/g)].map((m) => Number(m[1]));
  page.push({ backend, tokensPerSecond: tps, line });
  process.stderr.write(`${line}\n`);
}

// ---- table and file --------------------------------------------------------------------------------
const best = (kind: Reference['kind'], preset: string) =>
  references.filter((r) => r.kind === kind && r.preset === preset && r.variant === 'fp32' && r.tokensPerSecond).sort((x, y) => y.tokensPerSecond! - x.tokensPerSecond!)[0];
const f0 = (x: number) => x.toFixed(0);
const rows = [['backend', 'preset', 'tok/s', 'ms/step', 'fwd / bwd / opt / other ms', 'kernels/step', 'dispatches', 'GFLOP/s', 'MB', '× twin', '× sgemm']];
for (const m of results) {
  if ('error' in m) {
    rows.push([m.backend, m.preset, `– (${m.error})`]);
    continue;
  }
  const twin = best('twin', m.preset);
  const sg = best('sgemm', m.preset);
  const ph = m.phasesMs;
  rows.push([
    m.backend + (m.threads && m.threads > 1 ? ` ×${m.threads}` : ''),
    m.preset,
    f0(m.tokensPerSecond),
    m.msPerStep.toFixed(1),
    ph ? [ph.forward, ph.backward, ph.optimizer, ph.other].map((x) => x.toFixed(1)).join(' / ') : '–',
    `${m.kernelsPerStep.step} (${m.kernelsPerStep.forward}+${m.kernelsPerStep.backward}+${m.kernelsPerStep.optimizer})`,
    m.dispatchesPerStep == null ? '–' : String(m.dispatchesPerStep),
    m.gflops.toFixed(2),
    (m.memory.bytes / 1e6).toFixed(1),
    twin ? `${(m.tokensPerSecond / twin.tokensPerSecond!).toFixed(2)} (${twin.threads}t)` : '–',
    sg ? `${(m.gflops / sg.gflops!).toFixed(3)} (${sg.threads}t)` : '–',
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
for (const r of rows) console.log(r.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd());
for (const r of references) console.log(`reference ${r.kind} ${r.preset} ${r.variant}, ${r.threads} thread(s): ${r.error ? r.error : `${r.tokensPerSecond?.toFixed(0)} tokens/s${r.gflops ? `, ${r.gflops.toFixed(1)} GFLOP/s` : ''}`}`);
for (const p of page) console.log(`page ${p.backend}: ${p.line}`);

const machine = { host: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cores, node: process.version, platform: `${process.platform} ${process.arch}` };
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const file = join(a.out!, `${stamp}-${machine.host}.json`);
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), machine, command: process.argv.slice(2).join(' '), results, references, page }, null, 1));
console.log(`wrote ${file}`);
