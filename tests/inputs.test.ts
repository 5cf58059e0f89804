// What the page refuses before training: empty, binary, too large, too short. Each with a message that says why.
import { describe, expect, it } from 'vitest';
import { buildDataset } from '../src/lib/data/batches.ts';
import { MAX_SOURCE_BYTES, binaryReason, checkSource } from '../src/lib/data/inputs.ts';
import { encode, tinyConfig } from './helpers.ts';

const cfg = tinyConfig({ blockSize: 64 });

describe('checking a dataset a user brings', () => {
  it('accepts text and counts its bytes and tokens under each tokenizer', () => {
    const text = encode('naïve café '.repeat(200));
    const byByte = checkSource('X', text, cfg);
    expect(byByte).toMatchObject({ ok: true, bytes: text.length, tokens: text.length });
    const byChar = checkSource('X', text, { ...cfg, tokenizer: 'char' });
    expect(byChar).toMatchObject({ ok: true, tokens: [...'naïve café '.repeat(200)].length });
  });

  it('refuses empty, binary, too-short and too-large input, saying which', () => {
    expect(checkSource('X', new Uint8Array(), cfg).message).toMatch(/X: the text is empty/);
    expect(checkSource('Y', Uint8Array.from({ length: 2000 }, (_, i) => (i * 97) % 256), cfg).message).toMatch(/Y: it is not UTF-8 text/);
    expect(binaryReason(new Uint8Array(1000).fill(0x41).fill(0, 500, 501))).toMatch(/NUL bytes \(at byte 500\)/);
    // the CLI's wording, with where the number comes from
    expect(checkSource('X', encode('short'), cfg).message).toMatch(/^X is too short: 5 tokens, but the context of \d+ needs at least \d+: a window of \d+ tokens \(the context \+ 1\) to train on, and one of \d+ in the held-out \d+%/);
    const huge = new Uint8Array(MAX_SOURCE_BYTES + 1).fill(0x61);
    expect(checkSource('X', huge, cfg).message).toMatch(/over the 32.0 MiB limit/);
    for (const r of [checkSource('X', new Uint8Array(), cfg), checkSource('X', encode('short'), cfg)]) expect(r.ok).toBe(false);
  });

  it('says "too short" in the same words as the CLI', () => {
    const short = encode('a'.repeat(100));
    expect(() => buildDataset([{ name: 'Y', data: short }], cfg)).toThrow(checkSource('Y', short, cfg).message);
    expect(checkSource('Y', short, cfg).message).toMatch(/needs at least 650: a window of 65 tokens \(the context \+ 1\) to train on, and one of 65 in the held-out 10% \(10% of 650 is 65\)/);
  });
});
