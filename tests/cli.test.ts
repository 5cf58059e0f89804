// The command line: each bad input exits non-zero with one clear line and no stack trace; a good run
// prints JSON Lines whose last line is the summary, and writes weights, config and tokenizer with --out.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importModel } from '../src/lib/io/safetensors.ts';

const dir = mkdtempSync(join(tmpdir(), 'kxy-cli-'));
const file = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
const text = file('x.txt', 'The cat sat on the mat. The dog sat on the log. '.repeat(30));
const other = file('y.txt', 'A cat and a dog sat on a mat and a log. '.repeat(30));

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/train.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('CLI', () => {
  const bad: [string, string[], RegExp][] = [
    ['a missing file', ['--x', join(dir, 'nope.txt')], /cannot read --x '.*nope\.txt': no such file/],
    ['an empty file', ['--x', file('empty.txt', '')], /X is empty/],
    ['too little text', ['--x', file('short.txt', 'tiny text')], /X is too short: 9 tokens/],
    ['non-UTF-8 bytes with the char tokenizer', ['--x', file('bin.dat', new Uint8Array(2000).map((_, i) => (i * 37) % 256)), '--tokenizer', 'char'], /X is not valid UTF-8 text/],
    ['an unknown preset', ['--x', text, '--preset', 'huge'], /unknown preset 'huge' \(choose one of: nano, micro, small\)/],
    ['no --x', [], /--x FILE is required/],
    ['a Y run without Y', ['--x', text, '--runs', 'y'], /run 'y' needs a Y dataset/],
    ['an unknown backend', ['--x', text, '--backend', 'tpu'], /unknown backend 'tpu'/],
  ];
  for (const [what, args, message] of bad) {
    it(`rejects ${what}`, () => {
      const r = cli(...args, '--backend', args.includes('--backend') ? args[args.indexOf('--backend') + 1] : 'cpu');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/^kxy: /);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  }

  it('--json prints JSON Lines ending in the summary; --out writes weights, config and tokenizer', () => {
    const out = join(dir, 'out');
    const r = cli('--x', text, '--y', other, '--steps', '3', '--backend', 'wasm', '--set', 'evalEvery=3', '--json', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'backend', name: 'wasm' });
    const summary = lines[lines.length - 1];
    expect(summary.type).toBe('summary');
    for (const run of ['x', 'y', 'xy']) {
      for (const src of ['X', 'Y']) {
        expect(summary.runs[run].val[src].bitsPerToken).toBeGreaterThan(0);
        expect(summary.runs[run].val[src].bitsPerByte).toBeGreaterThan(0);
      }
      for (const src of run === 'xy' ? ['X', 'Y'] : [run.toUpperCase()]) {
        expect(summary.runs[run].prequential[src].bits).toBeGreaterThan(0);
        expect(summary.runs[run].prequential[src].bytes).toBeGreaterThan(0);
      }
      const model = importModel(new Uint8Array(readFileSync(join(out, `${run}.safetensors`))));
      expect(model.cfg.steps).toBe(3);
      expect(JSON.parse(readFileSync(join(out, `${run}.tokenizer.json`), 'utf8'))).toEqual({ type: 'byte' });
      expect(existsSync(join(out, `${run}.config.json`))).toBe(true);
    }
    expect(summary.conditional['Y|X'].given.bytes).toBeGreaterThan(0);
    expect(lines.filter((l) => l.type === 'eval').length).toBeGreaterThanOrEqual(6);
  });
});
