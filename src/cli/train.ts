// `npm run train`: the X / Y / X+Y experiment from a terminal. Progress as readable lines (or JSON Lines
// with --json, ending with a summary line); weights, config and tokenizer per run with --out.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { embedModeFor, selectBackend } from '../lib/backend.ts';
import { BACKEND_CHOICES, CONTROL_KINDS, DEFAULTS, RUN_NAMES, UserError, resolveConfig, type BackendChoice, type ControlKind, type RunConfig, type RunName } from '../lib/config.ts';
import { baselines, type Baselines } from '../lib/baselines.ts';
import { Runner, planExperiment, summarize, type Summary } from '../lib/harness.ts';
import { seedStats, withinNoise, type Spread } from '../lib/seeds.ts';
import { exportModel } from '../lib/io/safetensors.ts';
import { bitsPerByte } from '../lib/metrics/bits.ts';
import { readWeights } from '../lib/model/gpt.ts';
import type { TrainEvent } from '../lib/train/loop.ts';
import { bar, fail, parseSet, readInput, runMain } from './common.ts';
import { installNodeWebGPU, webgpuHint } from './node-webgpu.ts';
import { installNodeWasmThreads } from './node-wasm-threads.ts';

const USAGE = `usage: npm run train -- --x FILE [--y FILE] [options]

  --x FILE             dataset X (any file; text for --tokenizer char)
  --y FILE             dataset Y: adds the runs y, xy, x2y, y2x, c, c2y and C(Y|X)
  --runs LIST          which of ${RUN_NAMES.join(',')} to train (default: all the data allows;
                       a run that starts from another brings that one along)
  --control KIND       the control text C of run c2y: shuffle (X's tokens in a seeded random order,
                       default) | noise (symbols that never occur in Y) | none (no c, c2y)
  --seeds N            run the whole experiment N times, with seeds S, S+1, …: mean ± sd per number
  --replay R           each step also trains on R×B windows already coded (default 0)
  --preset NAME        nano | micro | small (default nano)
  --passes P           passes over each run's own stream (default 1; the code counts the first)
  --steps N            every run takes exactly N steps instead
  --max-bytes B        use only the first B bytes of each source
  --tokenizer KIND     byte (default) | char
  --backend NAME       auto (default) | webgpu | wasm | cpu
  --threads N          wasm's threads (default: every core; 1 = its single-threaded build)
  --seed S             seed for weights and window order (default ${DEFAULTS.seed})
  --set KEY=VALUE      override any config knob, e.g. --set lr=3e-3 (repeatable)
  --out DIR            write each run's .safetensors, config and tokenizer, and summary.json
  --json               JSON Lines on stdout; the last line is {"type":"summary",...}
  -h, --help           this text`;

function int(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${flag} needs a non-negative integer, not '${v}'`);
  return n;
}

const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const si = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : `${Math.round(x)}`);

/** Turns events into one readable line per validation, with a progress bar over all runs. */
class TerminalReporter {
  private steps = new Map<string, [number, number]>();
  private logs = new Map<string, Extract<TrainEvent, { type: 'log' }>>();
  private readonly tty = process.stdout.isTTY === true;

  event(ev: TrainEvent): void {
    if (ev.type === 'start') this.steps.set(ev.run, [ev.step, ev.totalSteps]);
    else if (ev.type === 'step') {
      this.steps.set(ev.run, [ev.step, ev.totalSteps]);
      if (this.tty && ev.step % 5 === 0) process.stdout.write(`\r${this.progress()}\x1b[K`);
    } else if (ev.type === 'log') this.logs.set(ev.run, ev);
    else if (ev.type === 'eval') {
      const log = this.logs.get(ev.run);
      const [, total] = this.steps.get(ev.run) ?? [0, 0];
      const val = Object.entries(ev.val).map(([s, v]) => `${s} ${fmt(v.bitsPerByte)}`).join('  ');
      const preq = log ? Object.entries(log.prequential).map(([s, c]) => `${s} ${fmt(bitsPerByte(c))}`).join('  ') : '';
      const train = log ? `train ${fmt(log.smoothLossBitsPerToken)} bits/tok  ${si(log.tokensPerSecond)} tok/s` : '';
      const line = `${this.progress()}  ${ev.run.padEnd(2)} step ${String(ev.step).padStart(String(total).length)}/${total}  val bits/byte: ${val}${preq ? `  |  code bits/byte: ${preq}` : ''}${train ? `  |  ${train}` : ''}`;
      process.stdout.write(`${this.tty ? '\r\x1b[K' : ''}${line}\n`);
    } else if (ev.type === 'error') process.stdout.write(`${this.tty ? '\r\x1b[K' : ''}${ev.run}: ${ev.message}\n`);
    else if (ev.type === 'rollback') {
      const rb = ev.rollback;
      process.stdout.write(`${this.tty ? '\r\x1b[K' : ''}${ev.run}: ${rb.reason}; rolled back to step ${rb.toStep} at ${rb.lrScale}× the learning rate (rollback ${ev.rollbacks} of 3)\n`);
    }
  }

  private progress(): string {
    let done = 0;
    let total = 0;
    for (const [s, t] of this.steps.values()) {
      done += s;
      total += t;
    }
    const frac = total ? done / total : 0;
    return `${bar(frac)} ${String(Math.floor(frac * 100)).padStart(3)}%`;
  }
}

const CONDITIONAL_RUN: Record<string, string> = { 'Y|X': 'x2y', 'Y|X joint': 'xy', 'Y|C': 'c2y', 'X|Y': 'y2x', 'X|Y joint': 'xy' };

/** Mean ± sd (and range) across seeds of the savings, paired by seed. */
function printSeeds(stats: Record<string, Spread>): void {
  const lines = ['', `across ${Object.values(stats)[0]?.n ?? 0} seeds (mean ± sd [min, max]; differences paired by seed):`];
  const show = (label: string, key: string, scale = 1, d = 1) => {
    const st = stats[key];
    if (!st) return;
    const noise = key.startsWith('transfer') && withinNoise(st) ? '  — within noise' : '';
    lines.push(`  ${label.padEnd(34)} ${fmt(st.mean * scale, d)} ± ${fmt(st.sd * scale, d)} [${fmt(st.min * scale, d)}, ${fmt(st.max * scale, d)}]${noise}`);
  };
  show('C(Y), run y, bits/byte', 'runs.y.prequential.Y.bitsPerByte', 1, 3);
  for (const key of Object.keys(CONDITIONAL_RUN)) show(`saved on ${key}, % of C`, `conditional.${key}.savedFraction`, 100);
  show('transfer C(Y|C) − C(Y|X), bits', 'transfer.bits', 1, 0);
  show('transfer, % of C(Y)', 'transfer.fraction', 100);
  process.stdout.write(lines.join('\n') + '\n');
}

function printSummary(s: Summary): void {
  const lines: string[] = ['', `kxy summary — preset ${s.preset}, ${s.tokenizer} tokenizer (V = ${s.vocabSize}), seed ${s.seed}`];
  for (const [name, r] of Object.entries(s.runs)) {
    lines.push(`  run ${name}: ${r.steps}/${r.totalSteps} steps, ${si(r.tokens)} tokens`);
    for (const [src, v] of Object.entries(r.val)) lines.push(`    validation on ${src}: ${fmt(v.bitsPerByte)} bits/byte, ${fmt(v.bitsPerToken)} bits/token`);
    for (const [src, c] of Object.entries(r.prequential)) {
      lines.push(`    prequential code of ${src}: ${si(c.bits)} bits = ${si(c.bits / 8)} bytes for ${si(c.bytes)} bytes of text (${fmt(c.bitsPerByte)} bits/byte)`);
    }
  }
  for (const [key, c] of Object.entries(s.conditional)) {
    const [t, rest] = key.split('|');
    const [o, how] = rest.split(' ');
    const run = CONDITIONAL_RUN[key] ?? '';
    const cover = c.windows < c.streamWindows ? ` (the first ${c.windows} of ${c.streamWindows} windows, ${si(c.alone.bytes)} bytes)` : ` (all ${si(c.alone.bytes)} bytes)`;
    lines.push(`  ${key.padEnd(10)} ${run}: C(${t}) = ${si(c.alone.bits)} bits, C(${t}|${o}${how ? ', ' + how : ''}) = ${si(c.given.bits)} bits${cover}`);
    lines.push(`             saved ${si(c.savedBits)} bits = ${fmt(c.savedBitsPerByte)} bits/byte = ${fmt(100 * c.savedFraction, 1)}% of C(${t})`);
  }
  if (s.transfer) {
    const tr = s.transfer;
    lines.push(`  transfer = C(Y|C) − C(Y|X) = ${si(tr.bits)} bits (${fmt(tr.bitsPerByte)} bits/byte, ${fmt(100 * tr.fraction, 1)}% of C(Y)): the bits of Y that only X's order explains (control: ${s.control})`);
  }
  const b = (s as Summary & { baselines?: Baselines }).baselines;
  if (b) {
    for (const [name, base] of [['gzip (level 6)', b.gzip], ['context model', b.context]] as const) {
      const parts = Object.entries(base.alone).map(([src, c]) => `C(${src}) = ${fmt(bitsPerByte(c))}`);
      for (const [key, c] of Object.entries(base.given)) {
        const alone = base.alone[key[0]];
        parts.push(`C(${key}) = ${fmt(bitsPerByte(c))} (saved ${fmt((100 * (alone.bits - c.bits)) / alone.bits, 1)}%)`);
      }
      lines.push(`  ${name} on the same training bytes, bits/byte: ${parts.join(', ')}`);
    }
  }
  if (s.joint) {
    lines.push(`  C(X,Y) − C(X) = ${si(s.joint.bits)} bits against C(Y) = ${si(s.joint.alone.bits)} bits on the same ${si(s.joint.alone.bytes)} bytes of Y: ${fmt(100 * s.joint.savedFraction, 1)}% saved (joint code, learning both at once)`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        x: { type: 'string' },
        y: { type: 'string' },
        runs: { type: 'string' },
        control: { type: 'string', default: 'shuffle' },
        seeds: { type: 'string' },
        replay: { type: 'string' },
        preset: { type: 'string', default: 'nano' },
        passes: { type: 'string' },
        steps: { type: 'string' },
        'max-bytes': { type: 'string' },
        tokenizer: { type: 'string' },
        backend: { type: 'string', default: 'auto' },
        threads: { type: 'string' },
        seed: { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        out: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (!args.x) throw new UserError(`--x FILE is required\n${USAGE}`);
  if (args.passes !== undefined && args.steps !== undefined) throw new UserError('give --passes or --steps, not both');
  const backend = args.backend as BackendChoice;
  if (!BACKEND_CHOICES.includes(backend)) throw new UserError(`unknown backend '${args.backend}' (choose ${BACKEND_CHOICES.join(', ')})`);
  if (args.tokenizer !== undefined && args.tokenizer !== 'byte' && args.tokenizer !== 'char') throw new UserError(`unknown tokenizer '${args.tokenizer}' (choose byte or char)`);
  const runs = args.runs?.split(',').map((r) => r.trim()) as RunName[] | undefined;
  const control = args.control as ControlKind;
  if (!CONTROL_KINDS.includes(control)) throw new UserError(`unknown control '${args.control}' (choose ${CONTROL_KINDS.join(', ')})`);
  const seeds = int('--seeds', args.seeds) ?? 1;
  if (seeds < 1) throw new UserError('--seeds must be at least 1');
  const passes = int('--passes', args.passes);
  if (passes === 0) throw new UserError('--passes must be at least 1');
  const steps = int('--steps', args.steps);
  if (steps === 0) throw new UserError('--steps must be at least 1');
  const cfg = resolveConfig(args.preset, {
    ...parseSet(args.set),
    passes,
    steps,
    maxBytes: int('--max-bytes', args['max-bytes']),
    tokenizer: args.tokenizer as RunConfig['tokenizer'] | undefined,
    seed: int('--seed', args.seed),
    replay: int('--replay', args.replay),
  });
  const x = readInput('--x', args.x);
  const y = args.y !== undefined ? readInput('--y', args.y) : undefined;

  tf.enableProdMode(); // also silences tfjs's advice to install tfjs-node
  if (backend === 'webgpu' || backend === 'auto') await installNodeWebGPU();
  const threads = int('--threads', args.threads) ?? availableParallelism();
  if (threads < 1) throw new UserError('--threads must be at least 1');
  if (backend === 'wasm' || backend === 'auto') installNodeWasmThreads(threads); // tfjs alone gives Node none
  let info;
  try {
    info = await selectBackend(backend);
  } catch (e) {
    if (e instanceof UserError && backend === 'webgpu') throw new UserError(e.message + webgpuHint());
    throw e;
  }
  const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
  if (args.json) out({ type: 'backend', ...info });
  const summaries: Summary[] = [];
  let base: Baselines | undefined;
  let failed = false;
  for (let k = 0; k < seeds; k++) {
    const seeded = Object.freeze({ ...cfg, seed: cfg.seed + k });
    const exp = planExperiment({ cfg: seeded, x, y, runs, control, embed: embedModeFor(info.name) });
    if (!args.json) {
      const seedNote = seeds > 1 ? `; seed ${seeded.seed} (${k + 1} of ${seeds})` : '';
      process.stdout.write(`kxy: ${info.note}; preset ${exp.cfg.preset}; runs ${exp.specs.map((s) => s.name).join(', ')}${seedNote}\n`);
    }
    const reporter = new TerminalReporter();
    const runner = new Runner(exp);
    try {
      for await (const ev of runner.train()) {
        if (ev.type === 'error') failed = true;
        if (args.json) {
          if (ev.type !== 'step') out(seeds > 1 ? { ...ev, seed: seeded.seed } : ev);
        } else reporter.event(ev);
      }
      // the classical codes of the same bytes: the same for every seed, so computed once
      base ??= await baselines(exp.dataset);
      const summary: Summary & { baselines: Baselines } = { ...summarize(exp, runner.runs), baselines: base };
      summaries.push(summary);
      if (args.out) {
        const dir = seeds > 1 ? join(args.out, `seed-${seeded.seed}`) : args.out;
        mkdirSync(dir, { recursive: true });
        for (const r of runner.runs) {
          const weights = await readWeights(r.params);
          writeFileSync(join(dir, `${r.name}.safetensors`), exportModel(exp.cfg, exp.dataset.tokenizer, weights, { run: r.name, step: String(r.step) }));
          writeFileSync(join(dir, `${r.name}.config.json`), JSON.stringify(exp.cfg, null, 2) + '\n');
          writeFileSync(join(dir, `${r.name}.tokenizer.json`), JSON.stringify(exp.dataset.tokenizer.spec) + '\n');
        }
        writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
      }
      if (!args.json) printSummary(summary);
    } finally {
      runner.dispose();
    }
  }
  // with several seeds: the first seed's summary as before, plus every seed's and the spread of each number
  const final: Summary & { seeds?: Summary[]; stats?: Record<string, Spread> } =
    seeds > 1 ? { ...summaries[0], seeds: summaries, stats: seedStats(summaries) } : summaries[0];
  if (args.out && seeds > 1) writeFileSync(join(args.out, 'summary.json'), JSON.stringify(final, null, 2) + '\n');
  if (args.json) out(final);
  else {
    if (seeds > 1) printSeeds(final.stats!);
    if (args.out) process.stdout.write(`wrote the runs and summary.json to ${args.out}\n`);
  }
  if (failed) process.exitCode = 1;
}

runMain(main);
