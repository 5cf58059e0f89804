// The learning codec: round trips (real text, one window, every byte value, multi-byte UTF-8 under the char
// tokenizer, given X), the file size against the summed −log2 p, the encoder's and decoder's distributions
// compared bit for bit, and bad input: a flipped bit, a truncation, the wrong X, the wrong backend.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/lib/config.ts';
import { compress, decompress, type ProbsAt } from '../src/lib/coder/codec.ts';
import { crc32 as crc, readKxy, writeKxy } from '../src/lib/coder/format.ts';
import { minTokens } from '../src/lib/data/batches.ts';
import type { Run } from '../src/lib/train/loop.ts';
import { Rng } from '../src/lib/rng.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

const cfg = tinyConfig({ logEvery: 4 });
const text = encode(
  'It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness, ' +
    'it was the epoch of belief, it was the epoch of incredulity, it was the season of Light, it was the season of Darkness, ' +
    'it was the spring of hope, it was the winter of despair, we had everything before us, we had nothing before us, ' +
    'we were all going direct to Heaven, we were all going direct the other way. There were a king with a large jaw and ' +
    'a queen with a plain face, on the throne of England; there were a king with a large jaw and a queen with a fair face, ' +
    'on the throne of France. In both countries it was clearer than crystal to the lords of the State preserves of loaves ' +
    'and fishes, that things in general were settled for ever. It was the year of Our Lord one thousand seven hundred and ' +
    'seventy-five. Spiritual revelations were conceded to England at that favoured period, as at this.',
);

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const key = (at: ProbsAt) => `${at.section}:${at.step}:${at.position}`;

describe('learning codec', () => {
  it('round-trips real text bit-exactly; the file is the summed −log2 p plus header and tail; no tensors leak', async () => {
    const before = tf.memory().numTensors;
    const enc = new Map<string, Uint32Array>();
    const r = await compress(text, cfg, { onProbs: (at, p) => enc.set(key(at), new Uint32Array(Float32Array.from(p).buffer)) });
    expect(r.header.mode).toBe('learned');
    expect(r.header.backend.name).toBe('cpu');
    const p = r.prequential;
    expect(p.tokens + r.tail.tokens).toBe(text.length); // every byte coded once
    expect(r.file.length).toBe(r.headerBytes + p.bytes + r.tail.bytes);
    // the floor, on this input: file ≤ 1.001 × (Σ −log2 p)/8 + header + tail
    expect(r.file.length).toBeLessThanOrEqual((1.001 * p.bits) / 8 + r.headerBytes + r.tail.bytes);
    // the codec's probabilities (eval forward, softmax) against the run's own ledger (logSoftmax in training)
    expect(Math.abs(p.bits - p.runBits) / p.runBits).toBeLessThan(1e-4);
    expect(p.quantizedBits).toBeGreaterThanOrEqual(p.bits * 0.999);

    const dec = new Map<string, Uint32Array>();
    const d = await decompress(r.file, { onProbs: (at, q) => dec.set(key(at), new Uint32Array(Float32Array.from(q).buffer)) });
    expect(same(d.data, text)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);

    // every distribution the decoder used is the encoder's, bit for bit: on one step first (so a failure
    // points at the first step that differs), then everywhere
    const step1 = [...enc.keys()].filter((k) => k.startsWith('prequential:1:'));
    expect(step1.length).toBeGreaterThan(cfg.blockSize);
    for (const k of step1) expect(Array.from(dec.get(k)!), k).toEqual(Array.from(enc.get(k)!));
    expect([...dec.keys()].sort()).toEqual([...enc.keys()].sort());
    for (const [k, bits] of enc) expect(same(new Uint8Array(dec.get(k)!.buffer), new Uint8Array(bits.buffer)), k).toBe(true);
  });

  it('round-trips an input of exactly one training window, and stores inputs too short to learn from', async () => {
    const half = { ...cfg, valFraction: 0.5 }; // so the shortest learnable input trains on exactly one window
    const n = minTokens(half);
    const one = text.subarray(0, n);
    const r = await compress(one, half);
    expect(r.header.mode).toBe('learned');
    expect(r.prequential.tokens).toBe(cfg.blockSize + 1); // the one window: its first token and its T targets
    expect(same((await decompress(r.file)).data, one)).toBe(true);
    for (const short of [new Uint8Array(0), text.subarray(0, 5), text.subarray(0, n - 1)]) {
      const s = await compress(short, half);
      expect(s.header.mode).toBe('stored');
      expect(same((await decompress(s.file)).data, short)).toBe(true);
    }
  });

  it('round-trips every byte value 0…255 (byte tokenizer)', async () => {
    const rng = new Rng(4);
    const bytes = Uint8Array.from(rng.shuffle([...Array.from({ length: 256 }, (_, i) => i), ...Array.from({ length: 256 }, (_, i) => i)]));
    const r = await compress(bytes, cfg);
    expect(same((await decompress(r.file)).data, bytes)).toBe(true);
  });

  it('round-trips multi-byte UTF-8 under the char tokenizer, whose vocabulary travels in the file', async () => {
    const utf = encode('naïve café — 東京 und Zürich 😀; façade, ÅÄÖ, ½ · '.repeat(6));
    const r = await compress(utf, { ...cfg, tokenizer: 'char' });
    expect(r.header.tokenizer.type).toBe('char');
    expect(r.header.config.vocabSize).toBeLessThan(60);
    expect(same((await decompress(r.file)).data, utf)).toBe(true);
  });

  it('round-trips with replay, two passes, and a step count that leaves most windows to the tail', async () => {
    const small = text.subarray(0, 400);
    for (const o of [{ replay: 1 }, { passes: 2 }, { steps: 2 }]) {
      const r = await compress(small, { ...cfg, ...o });
      expect(r.header.config).toMatchObject(o);
      if ('steps' in o) expect(r.tail.tokens).toBeGreaterThan(small.length / 2); // the stream sent only 2 batches
      expect(same((await decompress(r.file)).data, small), JSON.stringify(o)).toBe(true);
    }
  });

  it('follows a diverged run back to its good state as training does, and still round-trips; gives up after 3 rollbacks', async () => {
    // fault injection on both sides at the same step: NaN weights after step 6 (found by the flush at step 8)
    const poison = (every: boolean) => (run: Run) => {
      if (run.step === 6 && (every || run.rollbacks.length === 0)) {
        const w = run.params['transformer.h.0.attn.c_attn.weight'];
        w.assign(tf.fill(w.shape, NaN));
      }
    };
    const once = poison(false);
    const r = await compress(text, cfg, { afterStep: once });
    expect(Number.isFinite(r.prequential.bits)).toBe(true);
    // the windows of steps 0–7 were coded twice (first by a diverged model): the file holds both, the run's code the second
    expect(r.prequential.bits).toBeGreaterThan(r.prequential.runBits * 1.05);
    expect(r.file.length).toBeLessThanOrEqual((1.001 * r.prequential.bits) / 8 + r.headerBytes + r.tail.bytes);
    expect(same((await decompress(r.file, { afterStep: once })).data, text)).toBe(true);
    // the same training without the fault is another run: the decoder must repeat the encoder's
    await expect(decompress(r.file)).rejects.toThrow(/do not decode|fail their check/);
    await expect(compress(text, cfg, { afterStep: poison(true) })).rejects.toThrow(/run y diverged while coding \(after 3 rollbacks down to 0\.125× the learning rate\)/);
  });

  it('records the original file name when it is a plain one', async () => {
    const small = text.subarray(0, 300);
    expect((await readKxy((await compress(small, cfg, { name: 'notes.txt' })).file)).header.name).toBe('notes.txt');
    expect((await readKxy((await compress(small, cfg, { name: '../etc/passwd' })).file)).header.name).toBeUndefined();
  });

  it('codes Y given X, and decodes only with that same X', async () => {
    const x = text.subarray(0, 500);
    const y = text.subarray(500);
    const r = await compress(y, cfg, { given: x });
    expect(r.header.given).toEqual({ bytes: x.length, crc32: expect.any(Number) });
    expect(r.seconds.learnX).toBeGreaterThan(0);
    expect(same((await decompress(r.file, { given: x })).data, y)).toBe(true);
    const wrongX = x.slice();
    wrongX[10] ^= 1;
    await expect(decompress(r.file, { given: wrongX })).rejects.toThrow(/the X given \(500 bytes, CRC-32 [0-9a-f]{8}\) is not the X this file was coded with/);
    await expect(decompress(r.file)).rejects.toThrow(/coded given X \(500 bytes.*give the same X with --given/);
    const alone = await compress(y, cfg);
    await expect(decompress(alone.file, { given: x })).rejects.toThrow(/coded without X: leave out --given/);
  });

  it('refuses a flipped bit or a truncation, and a decoder fed a corrupt stream stops with an error', async () => {
    const small = text.subarray(0, 300);
    const { file } = await compress(small, cfg);
    const flipped = file.slice();
    flipped[file.length - 10] ^= 0x10;
    await expect(decompress(flipped)).rejects.toThrow(/corrupt: its (prequential|tail) section fails its CRC-32/);
    await expect(decompress(file.subarray(0, file.length - 3))).rejects.toThrow(/truncated/);
    // past the CRCs: the same flip with the section CRC made to match, so only the decoder can notice
    const { header, sections } = await readKxy(file);
    const preq = sections.prequential!.slice();
    preq[Math.floor(preq.length / 3)] ^= 0x04;
    const forged = await writeKxy({ ...header, sections: header.sections.map((s) => (s.name === 'prequential' ? { ...s, crc32: crc(preq) } : s)) }, [preq, sections.tail!]);
    const err = await decompress(forged).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/does not decode|fail their check/);
  });

  it('refuses a file made on wasm on cpu, naming the backend', async () => {
    await useBackend('wasm');
    const small = text.subarray(0, 200);
    const { file, header } = await compress(small, cfg);
    expect(header.backend.name).toBe('wasm');
    expect(same((await decompress(file)).data, small)).toBe(true);
    await useBackend('cpu');
    await expect(decompress(file)).rejects.toThrow(/coded on wasm \(.*\) and can only be decoded there.*use --backend wasm/);
  });
});

describe('npm run compress', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/compress.ts', ...args], { encoding: 'utf8', timeout: 120_000 });
  it('compresses and decompresses a file, and fails with one clear line on a file that is not .kxy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kxy-compress-'));
    const src = join(dir, 'in.txt');
    writeFileSync(src, text);
    const tiny = ['--set', 'blockSize=16', '--set', 'nLayer=1', '--set', 'nHead=2', '--set', 'nEmbd=16', '--set', 'batchSize=4'];
    const c = cli('--in', src, '--backend', 'cpu', ...tiny);
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    expect(c.stdout).toMatch(/file +[\d,]+ bytes/);
    expect(c.stdout).toMatch(/prequential +[\d,]+ bytes/);
    const d = cli('--decompress', `${src}.kxy`, '--out', join(dir, 'out.txt'));
    expect(d.status).toBe(0);
    expect(d.stdout).toMatch(/on cpu/); // the backend the file records
    expect(same(new Uint8Array(readFileSync(join(dir, 'out.txt'))), text)).toBe(true);
    const bad = cli('--decompress', src, '--out', join(dir, 'x'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^kxy: not a \.kxy file/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
