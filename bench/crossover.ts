// `npx tsx bench/crossover.ts --in FILE [--preset nano] [--backend wasm] [--max-bytes B] [--replay R] [--points 40]`
// Where the learner overtakes gzip: trains run x on one file, and prints its cumulative prequential code against
// bytes coded beside gzip's (level 6) size of the same bytes (in the learner's coding order, and the file's natural
// prefix of the same length) and the context model's. Writes bench/results/crossover-<name>.json.
// --baselines-only: no training; keeps the learner's column of that JSON and measures gzip and the context model
// again (after either changes). The coding order depends only on the file and the config, not on training.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { embedModeFor, selectBackend } from '../src/lib/backend.ts';
import { resolveConfig, type BackendChoice } from '../src/lib/config.ts';
import { codingOrder } from '../src/lib/data/order.ts';
import { Runner, planExperiment } from '../src/lib/harness.ts';
import { contextCode } from '../src/lib/metrics/ctxmodel.ts';
import { gzipSize } from '../src/lib/metrics/gzip.ts';

const a = parseArgs({
  options: {
    in: { type: 'string' },
    preset: { type: 'string', default: 'nano' },
    backend: { type: 'string', default: 'wasm' },
    'max-bytes': { type: 'string', default: '0' },
    replay: { type: 'string' },
    points: { type: 'string', default: '40' },
    seed: { type: 'string', default: '1337' },
    'baselines-only': { type: 'boolean', default: false },
  },
}).values;
if (!a.in) throw new Error('usage: npx tsx bench/crossover.ts --in FILE [--preset nano] [--backend wasm] [--max-bytes B]');

tf.enableProdMode();
const info = await selectBackend(a.backend as BackendChoice);
const cfg = resolveConfig(a.preset, {
  maxBytes: Number(a['max-bytes']),
  seed: Number(a.seed),
  evalEvery: 1_000_000,
  logEvery: 50,
  ...(a.replay !== undefined ? { replay: Number(a.replay) } : {}),
});
const exp = planExperiment({ cfg, x: new Uint8Array(readFileSync(a.in)), runs: ['x'], embed: embedModeFor(info.name) });
const out = join('bench/results', `crossover-${basename(a.in).replace(/\W+/g, '_')}-${exp.cfg.preset}.json`);
const earlier = a['baselines-only'] ? (JSON.parse(readFileSync(out, 'utf8')) as { seconds: number; steps: number; rows: { bytes: number; learnerBits: number }[] }) : null;
const runner = new Runner(exp);
const t0 = performance.now();
let lastPrint = t0;
for await (const ev of earlier ? [] : runner.train()) {
  if (ev.type === 'error') throw new Error(ev.message);
  if (ev.type === 'log' && performance.now() - lastPrint > 30_000) {
    lastPrint = performance.now();
    const c = ev.prequential.X;
    process.stderr.write(`step ${ev.step}: ${(c.bytes / 1e6).toFixed(2)} MB coded at ${(c.bits / c.bytes).toFixed(3)} bits/byte, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
  }
}
const seconds = earlier ? earlier.seconds : (performance.now() - t0) / 1000;
const run = runner.get('x')!;
const trace = run.trace.X;
const steps = earlier ? earlier.steps : run.step;
runner.dispose();

// the same bytes in the same order as the learner coded them; byte tokenizer only (tokens are bytes)
if (exp.cfg.tokenizer !== 'byte') throw new Error('crossover compares bytes: use the byte tokenizer');
const { bytes: ordered, windowEnds } = codingOrder(exp.dataset, 0, exp.cfg);
const natural = Uint8Array.from(exp.dataset.sources[0].train);
const nPoints = Number(a.points);
const picks = Array.from({ length: nPoints }, (_, i) => Math.max(0, Math.round(((i + 1) * windowEnds.length) / nPoints) - 1));
const ctxOrdered = contextCode(ordered, { every: 4096 });
const ctxNatural = contextCode(natural, { every: 4096 });
const ctxAt = (c: typeof ctxOrdered, bytes: number) => {
  const i = c.curve.bytes.findIndex((b) => b >= bytes);
  return i < 0 ? c.bits : c.curve.bits[i] * (bytes / c.curve.bytes[i]); // curve points every 4 KiB: scaled to the point
};
let cum = 0;
let k = 0;
const rows: { bytes: number; learnerBits: number; gzipOrderedBits: number; gzipNaturalBits: number; ctxOrderedBits: number; ctxNaturalBits: number }[] = [];
for (const w of picks) {
  for (; k <= w; k++) cum += earlier ? 0 : trace.bits[k];
  const bytes = windowEnds[w];
  const kept = earlier?.rows.find((r) => r.bytes === bytes);
  if (earlier && !kept) throw new Error(`${out} has no point at ${bytes} bytes: run with the same --points, --max-bytes and config`);
  rows.push({
    bytes,
    learnerBits: kept ? kept.learnerBits : cum,
    gzipOrderedBits: 8 * (await gzipSize(ordered.subarray(0, bytes))),
    gzipNaturalBits: 8 * (await gzipSize(natural.subarray(0, bytes))),
    ctxOrderedBits: ctxAt(ctxOrdered, bytes),
    ctxNaturalBits: ctxAt(ctxNatural, bytes),
  });
}
const cross = (key: 'gzipOrderedBits' | 'gzipNaturalBits' | 'ctxOrderedBits' | 'ctxNaturalBits') => rows.find((r, i) => rows.slice(i).every((q) => q.learnerBits < q[key]))?.bytes ?? null;
const result = {
  file: a.in,
  preset: exp.cfg.preset,
  replay: exp.cfg.replay,
  backend: info.name,
  bytes: natural.length,
  steps,
  seconds,
  crossover: { gzipOrdered: cross('gzipOrderedBits'), gzipNatural: cross('gzipNaturalBits'), ctxOrdered: cross('ctxOrderedBits'), ctxNatural: cross('ctxNaturalBits') },
  rows,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
const bpb = (bits: number, bytes: number) => (bits / bytes).toFixed(3);
console.log(`${a.in}: ${exp.cfg.preset} on ${info.name}, replay ${exp.cfg.replay}, ${steps} steps in ${seconds.toFixed(0)} s`);
console.log('bytes coded   learner   gzip(same order)   gzip(natural prefix)   context model(same order)   (cumulative bits/byte)');
for (const r of rows) {
  console.log(`${String(r.bytes).padStart(11)}   ${bpb(r.learnerBits, r.bytes)}     ${bpb(r.gzipOrderedBits, r.bytes)}              ${bpb(r.gzipNaturalBits, r.bytes)}                  ${bpb(r.ctxOrderedBits, r.bytes)}`);
}
console.log(`the learner stays below gzip (same order) from byte ${result.crossover.gzipOrdered ?? 'never'}, below gzip (natural) from ${result.crossover.gzipNatural ?? 'never'}, below the context model from ${result.crossover.ctxOrdered ?? 'never'}`);
console.log(`wrote ${out}`);
process.exit(0);
