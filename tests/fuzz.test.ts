// Hostile safetensors files: 10,000 seeded mutations of valid files (bit flips, truncations, header
// lengths, JSON edits: huge shapes, bad offsets, duplicate names, deep nesting) through the reader and the
// import path. Each must end in the file's contents or a UserError, and the reader must never allocate more
// than twice the file's size (counted through readerAllocations, a seam on its one allocation).
// bench/fuzz.ts runs the same with many more cases and prints the outcomes by kind.
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/lib/config.ts';
import { readSafetensors } from '../src/lib/io/safetensors.ts';
import { Rng } from '../src/lib/rng.ts';
import { KINDS, baseFiles, mutate, runCase } from './fuzz-mutations.ts';

const CASES = 10_000;

describe('fuzzing the safetensors reader and import', () => {
  it(`${CASES.toLocaleString('en-US')} seeded mutations: only clear refusals, never more than 2× the file size allocated`, () => {
    const bases = baseFiles();
    for (const b of bases) expect(runCase(b.file).read).toBe('ok'); // the unmutated files are valid
    const rng = new Rng(9);
    const outcomes = new Map<string, number>();
    const imports = new Map<string, number>();
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const base = bases[i % bases.length];
      const kind = KINDS[rng.int(KINDS.length)];
      const o = runCase(mutate(base.file, kind, rng));
      outcomes.set(o.read, (outcomes.get(o.read) ?? 0) + 1);
      imports.set(o.imported, (imports.get(o.imported) ?? 0) + 1);
      if (o.failure) failures.push(`case ${i} (${base.name}, ${kind}): ${o.failure}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
    // the mutations reach the checks that matter, not only the first one
    for (const reason of ['header length', 'header not JSON', 'nesting too deep', 'duplicate name', 'bad shape', 'bad offsets', 'past the end', 'dtype', 'size ≠ dtype × shape', 'overlap or gap', 'bytes after the data']) {
      expect(outcomes.get(`refused: ${reason}`) ?? 0, reason).toBeGreaterThan(0);
    }
    for (const reason of ['config larger than the file', 'tensors ≠ config', 'lm_head not tied', 'tokenizer']) expect(imports.get(`refused: ${reason}`) ?? 0, reason).toBeGreaterThan(0);
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0); // flips in the data leave a readable file
  });

  const plain = () => baseFiles().find((b) => b.name === 'plain')!.file;
  const withHeader = (text: string, body: Uint8Array) => {
    const json = new TextEncoder().encode(text);
    const out = new Uint8Array(8 + json.length + body.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(body, 8 + json.length);
    return out;
  };

  it('refuses a shape whose product is astronomically large, before allocating', () => {
    const f = withHeader('{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}', new Uint8Array(8));
    expect(() => readSafetensors(f)).toThrow(/8 bytes for shape/);
  });

  it('refuses duplicate names, which JSON.parse would silently merge', () => {
    const f = withHeader('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4));
    expect(() => readSafetensors(f)).toThrow(UserError);
    expect(() => readSafetensors(f)).toThrow(/names a twice/);
  });

  it('refuses deep nesting before JSON.parse sees it', () => {
    const f = withHeader(`{"x":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`, new Uint8Array(0));
    expect(() => readSafetensors(f)).toThrow(/nests deeper/);
  });

  it('keeps a tensor named __proto__ as a plain entry', () => {
    const f = withHeader('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Uint8Array(4));
    const { tensors } = readSafetensors(f);
    expect(Object.keys(tensors)).toEqual(['__proto__']);
    expect(Array.from(tensors['__proto__'].data)).toEqual([0]);
  });

  it('reads a zero-size tensor, and tensors listed out of order', () => {
    const { tensors } = readSafetensors(plain());
    expect(tensors.b.shape).toEqual([0]);
    expect(Array.from(tensors.a.data)).toEqual([1, -2, 0.5, 3, 4, 5]);
    const f = withHeader('{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}', Uint8Array.of(0, 0x3c, 0, 0xc0, 0, 0, 0x80, 0x3f));
    const r = readSafetensors(f).tensors;
    expect(Array.from(r.a.data)).toEqual([1, -2]);
    expect(Array.from(r.b.data)).toEqual([1]);
  });
});
