// The safetensors fuzz at scale: N seeded mutations of valid files through readSafetensors and importModel,
// with the outcomes counted by mutation kind, the slowest case, and the most the reader allocated per file byte.
// Allocation is counted through readerAllocations (the reader's one typed-array allocation); with --gc the
// process's arrayBuffers growth per case is checked as well (run: node --expose-gc --import tsx bench/fuzz.ts --gc).
// Usage: npx tsx bench/fuzz.ts [--cases 100000] [--seed 1] [--gc]
import { parseArgs } from 'node:util';
import { Rng } from '../src/lib/rng.ts';
import { KINDS, baseFiles, mutate, runCase } from '../tests/fuzz-mutations.ts';

const { values: a } = parseArgs({ options: { cases: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' }, gc: { type: 'boolean', default: false } } });
const cases = Number(a.cases);
const gc = (globalThis as { gc?: () => void }).gc;
if (a.gc && !gc) throw new Error('--gc needs node --expose-gc');

const bases = baseFiles();
const rng = new Rng(Number(a.seed));
const byKind = new Map<string, Map<string, number>>();
const totals = new Map<string, number>();
const failures: string[] = [];
let slowest = { ms: 0, what: '' };
let maxRatio = 0;
let maxHeapRatio = 0;
const t0 = performance.now();
for (let i = 0; i < cases; i++) {
  const base = bases[i % bases.length];
  const kind = KINDS[rng.int(KINDS.length)];
  const file = mutate(base.file, kind, rng);
  if (a.gc) gc!();
  const before = a.gc ? process.memoryUsage().arrayBuffers : 0;
  const t = performance.now();
  const o = runCase(file);
  const ms = performance.now() - t;
  if (a.gc) maxHeapRatio = Math.max(maxHeapRatio, (process.memoryUsage().arrayBuffers - before) / Math.max(1, file.length));
  if (ms > slowest.ms) slowest = { ms, what: `case ${i} (${base.name}, ${kind}, ${file.length} bytes): ${o.imported}` };
  maxRatio = Math.max(maxRatio, o.allocatedBytes / Math.max(1, file.length));
  const key = `read ${o.read} | import ${o.imported}`;
  const m = byKind.get(kind) ?? new Map<string, number>();
  byKind.set(kind, m);
  for (const k of [o.read, `import → ${o.imported}`]) m.set(k, (m.get(k) ?? 0) + 1);
  totals.set(key, (totals.get(key) ?? 0) + 1);
  if (o.failure) failures.push(`case ${i} (${base.name}, ${kind}): ${o.failure}`);
}
const s = (performance.now() - t0) / 1000;

console.log(`${cases} cases (seed ${a.seed}) in ${s.toFixed(1)} s; bases: ${bases.map((b) => `${b.name} ${b.file.length} bytes`).join(', ')}`);
for (const [kind, m] of byKind) {
  const n = [...m.entries()].filter(([k]) => !k.startsWith('import')).reduce((x, [, v]) => x + v, 0);
  console.log(`\n${kind}: ${n} cases`);
  for (const [k, v] of [...m.entries()].sort((x, y) => y[1] - x[1])) console.log(`  ${String(v).padStart(7)}  ${k}`);
}
console.log(`\nslowest case: ${slowest.ms.toFixed(1)} ms, ${slowest.what}`);
console.log(`most allocated by the reader: ${maxRatio.toFixed(3)} × the file size (limit 2)`);
if (a.gc) console.log(`largest arrayBuffers growth during a case: ${maxHeapRatio.toFixed(3)} × the file size (process.memoryUsage, after a forced GC)`);
console.log(`failures (anything but a UserError, or over 2×): ${failures.length}`);
for (const f of failures.slice(0, 20)) console.log(`  ${f}`);
process.exitCode = failures.length ? 1 : 0;
