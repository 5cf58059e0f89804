// Preset stability (issue 10 §6): trains every run of the default experiment on each bundled pair and seed,
// through the real loop (train() in src/lib/train/loop.ts), and records each run's largest training-loss
// excursion (loss ÷ its smoothed value, the loop's rollback trigger), rollbacks, largest gradient norm and final
// validation bits per byte. One JSON line per run (appended as it finishes), then a table.
// Usage: npx tsx bench/stability.ts [--presets nano] [--pairs sotu,…] [--seeds 1337,1338,1339]
//          [--runs x,y,xy,x2y,c,c2y] [--steps N] [--set KEY=VALUE …] [--label NAME] [--out FILE.jsonl]
//        npx tsx bench/stability.ts --table FILE.jsonl [FILE.jsonl …]   (prints the table of earlier runs)
//        npx tsx bench/stability.ts --compare BEFORE.jsonl AFTER.jsonl  (the runs both hold, side by side)
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { PAIRS, findPair } from '../datasets/index.ts';
import { embedModeFor, selectBackend, type BackendName } from '../src/lib/backend.ts';
import { parseSet } from '../src/cli/common.ts';
import { resolveConfig, type RunConfig, type RunName } from '../src/lib/config.ts';
import { planExperiment, type Experiment } from '../src/lib/harness.ts';
import { readWeights, type Weights } from '../src/lib/model/gpt.ts';
import { Run, SPIKE, train, type Rollback } from '../src/lib/train/loop.ts';

export interface RunRecord {
  label: string; // which configuration: 'presets' or a name for the overrides
  preset: string;
  overrides: Partial<RunConfig>;
  pair: string; // the pair id; run y (and y2x) is the same on every pair whose Y is the same, so it runs once
  seed: number;
  run: string;
  steps: number;
  totalSteps: number;
  maxExcursion: number; // max over steps of loss ÷ smoothed loss before that step (bits/token ÷ bits/token)
  maxExcursionStep: number;
  lossAtMax: number; // bits per token
  stepsOverSpike: number; // steps whose loss was over SPIKE × smoothed
  rollbacks: Rollback[];
  maxGradNorm: number; // global norm before clipping
  maxGradNormStep: number;
  around: { step: number; loss: number; smooth: number; gradNorm: number }[]; // the steps around the largest excursion (bits/token)
  val: Record<string, number>; // final validation, bits per byte, per source
  code: Record<string, number>; // prequential code, bits per byte, per source
  error: string | null;
  seconds: number;
}

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    presets: { type: 'string', default: 'nano' },
    pairs: { type: 'string', default: PAIRS.filter((p) => p.id !== 'sotu-large').map((p) => p.id).join(',') },
    seeds: { type: 'string', default: '1337,1338,1339' },
    runs: { type: 'string', default: 'x,y,xy,x2y,c,c2y' },
    order: { type: 'string', default: 'x,y;c,x2y,c2y,xy' }, // phases: every (pair, seed) gets the first before any gets the next
    steps: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    label: { type: 'string' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string' },
    table: { type: 'boolean', default: false },
    compare: { type: 'boolean', default: false },
  },
});

/** A spike, for the comparison: one step's loss this far over its smoothed value (the rollback trigger is
 *  SPIKE for SPIKE_STEPS steps; ordinary step-to-step noise here stays under 1.2×). */
const SPIKE_SHOWN = 1.5;

const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '—');

if (a.table) {
  printTable(positionals.flatMap((f) => readRecords(f)));
  process.exit(0);
}
if (a.compare) {
  if (positionals.length !== 2) throw new Error('--compare takes two files: BEFORE.jsonl AFTER.jsonl');
  printComparison(readRecords(positionals[0]), readRecords(positionals[1]));
  process.exit(0);
}

const overrides: Partial<RunConfig> = { ...parseSet(a.set), ...(a.steps ? { steps: Number(a.steps) } : {}) };
const label = a.label ?? (Object.keys(overrides).length ? Object.entries(overrides).map(([k, v]) => `${k}=${v}`).join(' ') : 'presets');
const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
const out = a.out ?? join(import.meta.dirname, 'results', `stability-${stamp}.jsonl`);
mkdirSync(dirname(out), { recursive: true });

tf.enableProdMode();
const info = await selectBackend(a.backend as BackendName);
const machine = `${hostname()}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}, ${info.note}`;
process.stderr.write(`stability: ${machine}; writing ${out}\n`);

const wanted = a.runs!.split(',') as RunName[];
const phases = a.order!.split(';').map((p) => p.split(',').filter((r) => wanted.includes(r as RunName)) as RunName[]);
const seeds = a.seeds!.split(',').map(Number);
const pairIds = a.pairs!.split(',');
for (const id of pairIds) if (!findPair(id)) throw new Error(`unknown pair '${id}' (${PAIRS.map((p) => p.id).join(', ')})`);
const data = new Map<string, { x: Uint8Array; y: Uint8Array; yKey: string }>();
for (const id of pairIds) {
  const { x, y } = await findPair(id)!.load();
  data.set(id, { x, y, yKey: hash(y) });
}

const finals = new Map<string, Weights>(); // final weights of x and c, for x2y and c2y
const yDone = new Set<string>();
// runs already in the output file (a resumed sweep) are not recorded again; x and c still train if x2y or c2y need them
const recordKey = (r: Pick<RunRecord, 'label' | 'preset' | 'pair' | 'seed' | 'run'>) => [r.label, r.preset, r.pair, r.seed, r.run].join('|');
const recorded = new Set(existsSync(out) ? readRecords(out).map(recordKey) : []);
const later = phases.flat();
for (const preset of a.presets!.split(',')) {
  for (const phase of phases) {
    for (const seed of seeds) {
      for (const id of pairIds) {
        const { x, y, yKey } = data.get(id)!;
        const cfg = resolveConfig(preset, { ...overrides, seed, logEvery: 1 }); // logEvery 1: every step's loss is seen
        const exp = planExperiment({ cfg, x, y, embed: embedModeFor(info.name), control: 'shuffle' });
        for (const name of phase) {
          // y and y2x train only on Y (y2x after y): identical on every pair with the same Y
          const key = `${preset}:${seed}:${yKey}:${name}`;
          if (name === 'y' || name === 'y2x') {
            if (yDone.has(key)) continue;
            yDone.add(key);
          }
          const done = recorded.has(recordKey({ label, preset, pair: id, seed, run: name }));
          const next = name === 'x' ? 'x2y' : name === 'c' ? 'c2y' : null;
          const needed = next !== null && later.includes(next) && !recorded.has(recordKey({ label, preset, pair: id, seed, run: next }));
          if (done && !needed) continue;
          const rec = await trainOne(exp, name, preset, id, seed);
          if (done) continue;
          appendFileSync(out, JSON.stringify(rec) + '\n');
          process.stderr.write(
            `${preset} ${id} seed ${seed} ${name}: ${rec.steps}/${rec.totalSteps} steps, max excursion ${fmt(rec.maxExcursion, 2)}× at step ${rec.maxExcursionStep}, ` +
              `${rec.rollbacks.length} rollbacks, max grad norm ${fmt(rec.maxGradNorm, 2)}, val ${Object.entries(rec.val).map(([s, v]) => `${s} ${fmt(v)}`).join(' ')} bits/byte, ${rec.seconds.toFixed(0)} s\n`,
          );
        }
      }
    }
  }
}
process.stderr.write(`machine: ${machine}\n`);
printTable(readRecords(out));
process.exit(0);

async function trainOne(exp: Experiment, name: RunName, preset: string, pair: string, seed: number): Promise<RunRecord> {
  const spec = exp.specs.find((s) => s.name === name)!;
  const key = (r: string) => `${preset}:${pair}:${seed}:${r}`;
  let init = exp.init;
  if (spec.after) {
    const w = finals.get(key(spec.after));
    if (!w) throw new Error(`run ${name} needs ${spec.after} first: put it in an earlier phase`);
    init = w;
  }
  const t0 = performance.now();
  const run = new Run({ ...spec, init });
  const rec: RunRecord = {
    label, preset, overrides, pair, seed, run: name, steps: 0, totalSteps: run.totalSteps,
    maxExcursion: -Infinity, maxExcursionStep: 0, lossAtMax: NaN, stepsOverSpike: 0, rollbacks: [],
    maxGradNorm: -Infinity, maxGradNormStep: 0, around: [], val: {}, code: {}, error: null, seconds: 0,
  };
  const perStep = new Map<number, RunRecord['around'][number]>();
  const smoothAt = new Map<number, number>(); // smoothed loss after each step (re-written after a rollback)
  for await (const ev of train(run)) {
    if (ev.type === 'log') {
      // logEvery = 1: the interval is one step, so lossBitsPerToken is that step's loss
      const before = smoothAt.get(ev.step - 1);
      smoothAt.set(ev.step, ev.smoothLossBitsPerToken);
      perStep.set(ev.step, { step: ev.step, loss: ev.lossBitsPerToken, smooth: ev.smoothLossBitsPerToken, gradNorm: ev.gradNorm });
      if (before !== undefined && Number.isFinite(before)) {
        const r = ev.lossBitsPerToken / before;
        if (r > rec.maxExcursion) Object.assign(rec, { maxExcursion: r, maxExcursionStep: ev.step, lossAtMax: ev.lossBitsPerToken });
        if (r > SPIKE) rec.stepsOverSpike += 1;
      }
      if (ev.gradNorm > rec.maxGradNorm) Object.assign(rec, { maxGradNorm: ev.gradNorm, maxGradNormStep: ev.step });
    } else if (ev.type === 'rollback') {
      rec.rollbacks.push(ev.rollback);
      rec.stepsOverSpike += 1; // the step that tripped it is not logged
    } else if (ev.type === 'eval') rec.val = Object.fromEntries(Object.entries(ev.val).map(([s, v]) => [s, v.bitsPerByte]));
    else if (ev.type === 'error') rec.error = ev.message;
  }
  await run.flush();
  rec.steps = run.step;
  for (let k = rec.maxExcursionStep - 3; k <= rec.maxExcursionStep + 5; k++) if (perStep.has(k)) rec.around.push(perStep.get(k)!);
  rec.code = Object.fromEntries(Object.entries(run.prequential).map(([s, c]) => [s, c.bits / c.bytes]));
  if (name === 'x' || name === 'c') finals.set(key(name), await readWeights(run.params)); // sync point
  run.dispose();
  rec.seconds = (performance.now() - t0) / 1000;
  return rec;
}

function hash(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return `${b.length}:${(h >>> 0).toString(16)}`;
}

function readRecords(file: string): RunRecord[] {
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as RunRecord);
}

/** One row per (label, preset, pair, run): over the seeds, the worst excursion, rollbacks, worst gradient norm,
 *  and the mean final validation bits per byte on the run's own training sources. */
function printTable(recs: RunRecord[]): void {
  const own: Record<string, string[]> = { x: ['X'], y: ['Y'], xy: ['X', 'Y'], x2y: ['Y'], y2x: ['X'], c: ['Y'], c2y: ['Y'] }; // c: Y's val shows what a control start knows
  const groups = new Map<string, RunRecord[]>();
  for (const r of recs) {
    const k = [r.label, r.preset, r.pair, r.run].join('|');
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  console.log('| config | preset | pair | run | seeds | max excursion (loss ÷ smoothed) | steps > 2× | rollbacks | max grad norm | final val, bits/byte (mean [min, max]) | prequential code, bits/byte (mean) |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [k, rs] of groups) {
    const [lab, preset, pair, run] = k.split('|');
    const worst = rs.reduce((p, q) => (q.maxExcursion > p.maxExcursion ? q : p));
    const g = rs.reduce((p, q) => (q.maxGradNorm > p.maxGradNorm ? q : p));
    const srcs = own[run] ?? Object.keys(rs[0].val);
    const vals = srcs.map((s) => {
      const v = rs.map((r) => r.val[s]).filter(Number.isFinite);
      return `${s} ${fmt(v.reduce((p, q) => p + q, 0) / v.length)} [${fmt(Math.min(...v))}, ${fmt(Math.max(...v))}]`;
    });
    const codes = Object.keys(rs[0].code).map((s) => `${s} ${fmt(rs.reduce((p, r) => p + r.code[s], 0) / rs.length)}`);
    const rb = rs.reduce((p, r) => p + r.rollbacks.length, 0);
    const errs = rs.filter((r) => r.error).length;
    console.log(
      `| ${lab} | ${preset} | ${pair} | ${run} | ${rs.map((r) => r.seed).join(', ')} | ${fmt(worst.maxExcursion, 2)}× (seed ${worst.seed}, step ${worst.maxExcursionStep}) | ` +
        `${rs.reduce((p, r) => p + r.stepsOverSpike, 0)} | ${rb}${errs ? ` (${errs} gave up)` : ''} | ${fmt(g.maxGradNorm, 2)} (step ${g.maxGradNormStep}) | ${vals.join('; ')} | ${codes.join('; ')} |`,
    );
  }
}

/** Before and after, on the (preset, pair, seed, run) both files hold: the largest excursion and the final
 *  validation bits per byte on the run's own sources, per row over the seeds, then totals. */
function printComparison(before: RunRecord[], after: RunRecord[]): void {
  const own: Record<string, string[]> = { x: ['X'], y: ['Y'], xy: ['X', 'Y'], x2y: ['Y'], y2x: ['X'], c: ['Y'], c2y: ['Y'] };
  const key = (r: RunRecord) => [r.preset, r.pair, r.seed, r.run].join('|');
  const b = new Map(before.filter((r) => !r.error).map((r) => [key(r), r]));
  const both = after.filter((r) => !r.error && b.has(key(r))).map((r) => ({ a: r, b: b.get(key(r))! }));
  const groups = new Map<string, typeof both>();
  for (const p of both) {
    const k = [p.a.preset, p.a.pair, p.a.run].join('|');
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const mean = (v: number[]) => v.reduce((p, q) => p + q, 0) / v.length;
  const valOf = (r: RunRecord) => mean((own[r.run] ?? Object.keys(r.val)).map((s) => r.val[s]));
  console.log('| preset | pair | run | seeds | max excursion, before → after | max grad norm, before → after | final val bits/byte (mean), before → after | change |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [k, ps] of groups) {
    const [preset, pair, run] = k.split('|');
    const ex = (f: (p: (typeof both)[number]) => RunRecord) => Math.max(...ps.map((p) => f(p).maxExcursion));
    const gn = (f: (p: (typeof both)[number]) => RunRecord) => Math.max(...ps.map((p) => f(p).maxGradNorm));
    const [vb, va] = [mean(ps.map((p) => valOf(p.b))), mean(ps.map((p) => valOf(p.a)))];
    console.log(
      `| ${preset} | ${pair} | ${run} | ${ps.map((p) => p.a.seed).join(', ')} | ${fmt(ex((p) => p.b), 2)}× → ${fmt(ex((p) => p.a), 2)}× | ` +
        `${fmt(gn((p) => p.b), 1)} → ${fmt(gn((p) => p.a), 1)} | ${fmt(vb)} → ${fmt(va)} | ${((100 * (va - vb)) / vb).toFixed(2)}% |`,
    );
  }
  const spikes = (f: (p: (typeof both)[number]) => RunRecord) => both.filter((p) => f(p).maxExcursion > SPIKE_SHOWN).length;
  const change = both.map((p) => (valOf(p.a) - valOf(p.b)) / valOf(p.b));
  console.log(
    `\n${both.length} runs in both. Runs with a spike (one step over ${SPIKE_SHOWN}× its smoothed loss): before ${spikes((p) => p.b)}, after ${spikes((p) => p.a)}. ` +
      `Largest excursion: before ${fmt(Math.max(...both.map((p) => p.b.maxExcursion)), 2)}×, after ${fmt(Math.max(...both.map((p) => p.a.maxExcursion)), 2)}×. ` +
      `Final validation bits per byte, after vs before: mean ${(100 * mean(change)).toFixed(2)}%, worst run ${(100 * Math.max(...change)).toFixed(2)}%, best ${(100 * Math.min(...change)).toFixed(2)}%.`,
  );
}

