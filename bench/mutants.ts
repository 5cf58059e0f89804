// Mutation check of the tests that guard the measurement: each mutant is one exact text replacement in one
// file, run against the one test file that must catch it, in a throwaway git worktree of a commit. Not in CI.
// Usage: npx tsx bench/mutants.ts [--ref HEAD] [--only name,name] [--no-lock] [--timeout 300] [--list] [--check] [--no-bail]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

interface Mutant {
  name: string;
  what: string; // the bug, in words
  file: string; // the one file changed
  search: string; // must occur exactly once in the file at the ref
  replace: string;
  test: string; // the test file that must fail
}

export const MUTANTS: Mutant[] = [
  {
    name: 'adamw-no-clip',
    what: 'gradient clipping removed',
    file: 'src/lib/train/adamw.ts',
    search: 'const g = gradClip > 0 ? tf.mul(g0, tf.minimum(1, tf.div(gradClip, tf.add(norm, 1e-6)))) : g0;',
    replace: 'const g = g0;',
    test: 'tests/adamw.test.ts',
  },
  {
    name: 'adamw-no-bias-correction',
    what: "Adam's bias correction dropped (both moments)",
    file: 'src/lib/train/adamw.ts',
    search: 'const bc1 = 1 - beta1 ** this.t;\n    const bc2 = 1 - beta2 ** this.t;',
    replace: 'const bc1 = 1;\n    const bc2 = 1;',
    test: 'tests/adamw.test.ts',
  },
  {
    name: 'adamw-decay-biases',
    what: 'weight decay applied to biases and LayerNorm gains too',
    file: 'src/lib/train/adamw.ts',
    search: 'if (params[n].shape.length >= 2) mask.fill(1',
    replace: 'if (params[n].shape.length >= 1) mask.fill(1',
    test: 'tests/adamw.test.ts',
  },
  {
    name: 'attn-scale-1-over-hs',
    what: 'attention scale 1/sqrt(hs) → 1/hs',
    file: 'src/lib/model/ops.ts',
    search: 'const scale = 1 / Math.sqrt(hs);',
    replace: 'const scale = 1 / hs;',
    test: 'tests/reference.test.ts',
  },
  {
    name: 'layernorm-eps-1e-3',
    what: 'LayerNorm epsilon 1e-5 → 1e-3',
    file: 'src/lib/model/ops.ts',
    search: 'tf.add(tf.mean(tf.square(xc), -1, true), 1e-5)',
    replace: 'tf.add(tf.mean(tf.square(xc), -1, true), 1e-3)',
    test: 'tests/reference.test.ts',
  },
  {
    name: 'drop-mlp-residual',
    what: 'the MLP residual dropped: x = mlp(ln_2(x))',
    file: 'src/lib/model/gpt.ts',
    search: "x = tf.add(x, mlp(p, h, layerNorm(x, p, h + 'ln_2'), cfg, train));",
    replace: "x = mlp(p, h, layerNorm(x, p, h + 'ln_2'), cfg, train);",
    test: 'tests/reference.test.ts',
  },
  {
    name: 'drop-attn-residual',
    what: 'the attention residual dropped: x = attn(ln_1(x))',
    file: 'src/lib/model/gpt.ts',
    search: "x = tf.add(x, attention(p, h, layerNorm(x, p, h + 'ln_1'), B, T, cfg, train));",
    replace: "x = attention(p, h, layerNorm(x, p, h + 'ln_1'), B, T, cfg, train);",
    test: 'tests/reference.test.ts',
  },
  {
    name: 'lr-zero',
    what: 'the learning rate forced to 0 (training changes nothing)',
    file: 'src/lib/train/loop.ts',
    search: 'const lr = learningRate(this.step, this.plan.totalSteps, cfg) * this.lrScale;',
    replace: 'const lr = 0 * learningRate(this.step, this.plan.totalSteps, cfg) * this.lrScale;',
    test: 'tests/entropy.test.ts',
  },
  {
    name: 'val-windows-from-train',
    what: "validation windows gathered from the training split (gatherWindows ignores 'val')",
    file: 'src/lib/data/batches.ts',
    search: 'const toks = dataset.sources[w.source][split];',
    replace: 'const toks = dataset.sources[w.source].train;',
    test: 'tests/entropy.test.ts',
  },
  {
    name: 'val-split-inside-train',
    what: 'the held-out split taken from the start of the text, inside the training split',
    file: 'src/lib/data/batches.ts',
    search: 'val: tokens.subarray(tokens.length - nVal) };',
    replace: 'val: tokens.subarray(0, nVal) };',
    test: 'tests/entropy.test.ts',
  },
  {
    name: 'bpb-val-counts-tokens',
    what: "validation bits per byte counts tokens, not UTF-8 bytes (evalSet's byte count)",
    file: 'src/lib/train/loop.ts',
    search: 'bytes += dataset.tokenizer.bytesPerToken[val[w.start + j]];',
    replace: 'bytes += 1;',
    test: 'tests/bytes.test.ts',
  },
  {
    name: 'bpb-prequential-counts-tokens',
    what: "the prequential code's bytes count tokens, not UTF-8 bytes (the ledger)",
    file: 'src/lib/data/batches.ts',
    search: 'bytes += bpt[toks[pos]];',
    replace: 'bytes += 1;',
    test: 'tests/bytes.test.ts',
  },
  {
    name: 'char-token-one-byte',
    what: 'the char tokenizer says every character is 1 byte',
    file: 'src/lib/data/tokenizer.ts',
    search: 'bytesPerToken: Uint8Array.from(chars, (c) => utf8.encode(c).length),',
    replace: 'bytesPerToken: Uint8Array.from(chars, () => 1),',
    test: 'tests/bytes.test.ts',
  },
  {
    name: 'conditional-sign',
    what: "conditional()'s saving sign flipped: C(Y|X) − C(Y)",
    file: 'src/lib/metrics/bits.ts',
    search: 'const saved = alone.bits - given.bits;',
    replace: 'const saved = given.bits - alone.bits;',
    test: 'tests/conditional.test.ts',
  },
  {
    name: 'saved-fraction-of-given',
    what: "the saving's denominator changed: saved / C(Y|X) instead of saved / C(Y)",
    file: 'src/lib/metrics/bits.ts',
    search: 'savedFraction: alone.bits > 0 ? saved / alone.bits : NaN,',
    replace: 'savedFraction: given.bits > 0 ? saved / given.bits : NaN,',
    test: 'tests/conditional.test.ts',
  },
  {
    name: 'summarize-alone-given-swapped',
    what: "summarize()'s Y|X compares x2y alone against y given",
    file: 'src/lib/compare.ts',
    search: "['Y|X', 'Y', 'y', 'x2y'],",
    replace: "['Y|X', 'Y', 'x2y', 'y'],",
    test: 'tests/conditional.test.ts',
  },
  {
    name: 'summarize-x-given-y-wrong-run',
    what: "summarize()'s X|Y reads the joint run xy instead of y2x",
    file: 'src/lib/compare.ts',
    search: "['X|Y', 'X', 'x', 'y2x'],",
    replace: "['X|Y', 'X', 'x', 'xy'],",
    test: 'tests/conditional.test.ts',
  },
  {
    name: 'transfer-sign',
    what: 'transfer sign flipped: C(Y|X) − C(Y|C)',
    file: 'src/lib/metrics/bits.ts',
    search: 'const bits = c.bits - x.bits;',
    replace: 'const bits = x.bits - c.bits;',
    test: 'tests/conditional.test.ts',
  },
  {
    name: 'replay-draws-uncoded',
    what: 'replay draws windows not yet coded (trains on the future before scoring it)',
    file: 'src/lib/data/batches.ts',
    search: 'const n = this.codedBefore(step);',
    replace: 'const n = this.codedBefore(step + 2);',
    test: 'tests/conditional.test.ts',
  },
  {
    name: 'replay-scores-its-windows',
    what: 'replayed windows are scored (added to the code) like new ones',
    file: 'src/lib/train/loop.ts',
    search: 'items.forEach(({ window, pass }, r) => {',
    replace: '[...items, ...replayed.map((window) => ({ window, pass: 0 }))].forEach(({ window, pass }, r) => {',
    test: 'tests/prequential.test.ts',
  },
  {
    name: 'backend-error-not-losses',
    what: 'the wasm backend emits an error event instead of losses',
    file: 'src/lib/train/loop.ts',
    search: '  await run.keepGood();\n  while (run.step < run.totalSteps) {',
    replace:
      "  await run.keepGood();\n  if (tf.getBackend() === 'wasm') {\n    yield { type: 'error', run: name, step: run.step, message: 'mutant: wasm failed' };\n    return;\n  }\n  while (run.step < run.totalSteps) {",
    test: 'tests/backends.test.ts',
  },
];

const LOCK = '/tmp/kxy-cpu.lock';

const { values: a } = parseArgs({
  options: {
    ref: { type: 'string', default: 'HEAD' },
    only: { type: 'string' },
    'no-lock': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '300' },
    list: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false }, // only check that every mutant applies at the ref
    'no-bail': { type: 'boolean', default: false }, // run every test of the file, to see all that catch a mutant
  },
});

const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const commit = execFileSync('git', ['rev-parse', a.ref!], { cwd: root, encoding: 'utf8' }).trim();
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const atRef = (path: string): string | null => {
  try {
    return git('show', `${commit}:${path}`);
  } catch {
    return null;
  }
};
const count = (text: string, s: string) => text.split(s).length - 1;

let chosen = MUTANTS;
if (a.only) {
  const names = a.only.split(',');
  for (const n of names) if (!MUTANTS.some((m) => m.name === n)) throw new Error(`unknown mutant '${n}' (known: ${MUTANTS.map((m) => m.name).join(', ')})`);
  chosen = MUTANTS.filter((m) => names.includes(m.name));
}
if (a.list) {
  for (const m of MUTANTS) console.log(`${m.name.padEnd(32)} ${m.file.padEnd(28)} ${m.test}`);
  process.exit(0);
}

// Every search text must occur exactly once at the ref, checked before anything runs: a list that no longer
// applies stops here, loudly, instead of reporting survivors or catches of nothing.
const rotten: string[] = [];
for (const m of chosen) {
  const text = atRef(m.file);
  const n = text === null ? -1 : count(text, m.search);
  if (n !== 1) rotten.push(`${m.name}: ${text === null ? `${m.file} does not exist` : `search text found ${n} times in ${m.file}`} at ${commit.slice(0, 10)}`);
}
if (rotten.length) {
  console.error(`mutants.ts: the mutation list no longer applies:\n  ${rotten.join('\n  ')}`);
  process.exit(1);
}
if (a.check) {
  console.log(`all ${chosen.length} mutants apply exactly once at ${commit.slice(0, 10)}`);
  process.exit(0);
}

interface TestRun {
  rc: number; // vitest's exit status; 124: timed out
  failed: string[]; // names of failing tests
  message: string; // the first failure's first line
  ms: number;
}

/** Runs one test file in a worktree, under the CPU lock unless the caller holds it. With bail (mutants), vitest
 *  stops at the first failing test: one failure is a catch, and the rest of the file would only cost time. */
function runTest(dir: string, test: string, bail: boolean): Promise<TestRun> {
  const out = join(dir, '.mutant-report.json');
  const cmd = [...(a['no-lock'] ? [] : ['flock', LOCK]), 'timeout', '-k', '10', a.timeout!, 'npx', 'vitest', 'run', '--project', 'node', test, '--reporter=json', `--outputFile=${out}`, ...(bail ? ['--bail=1'] : [])];
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(cmd[0], cmd.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    let log = '';
    child.stdout.on('data', (d) => (log += d));
    child.stderr.on('data', (d) => (log += d));
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const failed: string[] = [];
      let message = '';
      if (existsSync(out)) {
        const r = JSON.parse(readFileSync(out, 'utf8')) as {
          testResults: { message?: string; assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
        };
        for (const f of r.testResults) {
          if (f.message && !message) message = f.message.split('\n')[0]; // a suite that failed to load
          for (const t of f.assertionResults) {
            if (t.status !== 'failed') continue;
            failed.push(t.fullName);
            if (!message) message = (t.failureMessages[0] ?? '').split('\n')[0];
          }
        }
      } else message = log.trim().split('\n').slice(-3).join(' | ');
      done({ rc: code ?? 1, failed, message: message.slice(0, 300), ms });
    });
  });
}

const scratch = mkdtempSync(join(tmpdir(), 'kxy-mutants-'));
/** A detached worktree of the ref with node_modules linked; removed by the caller. */
function worktree(name: string): string {
  const dir = join(scratch, name.replace(/[^A-Za-z0-9_-]/g, '_'));
  git('worktree', 'add', '--detach', '--quiet', dir, commit);
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}
function removeWorktree(dir: string): void {
  try {
    git('worktree', 'remove', '--force', dir);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    git('worktree', 'prune');
  }
}

interface Result {
  name: string;
  what: string;
  file: string;
  test: string;
  outcome: 'caught' | 'survived' | 'timeout' | 'no test' | 'baseline fails';
  failed: string[];
  message: string;
  seconds: number;
}

const tests = [...new Set(chosen.map((m) => m.test))];
const baseline: Record<string, TestRun | null> = {};
const results: Result[] = [];
let ok = true;
try {
  // each test file once, unmutated: it must pass, or its mutants prove nothing
  const base = worktree('baseline');
  try {
    for (const t of tests) {
      if (atRef(t) === null) {
        baseline[t] = null;
        console.log(`baseline  ${t}: no such file at ${commit.slice(0, 10)}`);
        continue;
      }
      const r = await runTest(base, t, false);
      baseline[t] = r;
      console.log(`baseline  ${t}: ${r.rc === 0 ? 'passes' : `FAILS (rc ${r.rc}): ${r.failed.join('; ')} ${r.message}`} (${(r.ms / 1000).toFixed(1)} s)`);
      if (r.rc !== 0) ok = false;
    }
  } finally {
    removeWorktree(base);
  }
  for (const m of chosen) {
    const b = baseline[m.test];
    const row = { name: m.name, what: m.what, file: m.file, test: m.test, failed: [] as string[], message: '', seconds: 0 };
    if (b === null) {
      results.push({ ...row, outcome: 'no test' });
      continue;
    }
    if (b.rc !== 0) {
      results.push({ ...row, outcome: 'baseline fails' });
      continue;
    }
    const dir = worktree(m.name);
    try {
      const path = join(dir, m.file);
      const text = readFileSync(path, 'utf8');
      if (count(text, m.search) !== 1) throw new Error(`${m.name}: search text not found once in ${m.file}`); // checked above; the worktree must agree
      writeFileSync(path, text.replace(m.search, () => m.replace));
      const r = await runTest(dir, m.test, !a['no-bail']);
      const outcome = r.rc === 124 || r.rc === 137 ? 'timeout' : r.rc !== 0 ? 'caught' : 'survived';
      results.push({ ...row, outcome, failed: r.failed, message: r.message, seconds: r.ms / 1000 });
      console.log(`${outcome.padEnd(9)} ${m.name} → ${m.test}${r.failed.length ? `: ${r.failed[0]}` : ''} (${(r.ms / 1000).toFixed(1)} s)`);
    } finally {
      removeWorktree(dir);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const table = [
  '| mutation | file | test | outcome | first failing test: message |',
  '|---|---|---|---|---|',
  ...results.map((r) => {
    const first = r.failed.length ? `${r.failed[0]}${r.failed.length > 1 ? ` (+${r.failed.length - 1})` : ''}: ` : '';
    return `| ${[`${r.name}: ${r.what}`, r.file, r.test, r.outcome, first + r.message].map(cell).join(' | ')} |`;
  }),
];
console.log('\n' + table.join('\n'));
const caught = results.filter((r) => r.outcome === 'caught').length;
console.log(`\n${caught} of ${results.length} mutants caught at ${commit.slice(0, 10)}`);

const dir = resolve(root, 'bench/results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `mutants-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
writeFileSync(file, JSON.stringify({ ref: a.ref, commit, machine, command: `npx tsx bench/mutants.ts ${process.argv.slice(2).join(' ')}`.trim(), baseline, results }, null, 2) + '\n');
console.log(`wrote ${file}`);
if (!ok || results.some((r) => r.outcome !== 'caught')) process.exit(1);
