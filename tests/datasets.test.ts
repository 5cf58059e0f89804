// The bundled pairs (datasets/index.ts): each loads, is UTF-8 text of the documented size, the default
// pair's X and Y share no text, synthetic sources repeat exactly, and the list module stays free of text.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAIR_ID, PAIRS, findPair } from '../datasets/index.ts';
import { MARKOV_ENTROPY } from '../datasets/sources/markov.ts';

// Exact sizes in bytes, as datasets/README.md gives them: a change here is a change of the bundled data.
const SIZES: Record<string, { x: number; y: number }> = {
  sotu: { x: 110_078, y: 115_530 },
  'sotu-washington': { x: 93_686, y: 115_530 },
  'markov-english': { x: 100_000, y: 115_530 },
  'markov-seeds': { x: 100_000, y: 100_000 },
};

const MIN_BYTES = 50_000; // below this, too little to learn from
const MAX_BYTES = 300_000; // above this, too slow to train in a browser tab

/** Whether a and b share any substring of `len` bytes. Every such substring contains one of b's blocks of
 *  len / 2 bytes that start at a multiple of len / 2, so looking those blocks up in a is enough. */
function shareSubstring(a: Uint8Array, b: Uint8Array, len: number): boolean {
  const half = Math.floor(len / 2);
  const as = Buffer.from(a).toString('latin1'); // one char per byte, so indices are byte offsets
  const bs = Buffer.from(b).toString('latin1');
  for (let i = 0; i + half <= bs.length; i += half) if (as.includes(bs.slice(i, i + half))) return true;
  return false;
}

describe('bundled pairs', () => {
  it('lists 3–5 pairs with unique ids, the default among them', () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(3);
    expect(PAIRS.length).toBeLessThanOrEqual(5);
    expect(new Set(PAIRS.map((p) => p.id)).size).toBe(PAIRS.length);
    expect(findPair(DEFAULT_PAIR_ID)).toBeDefined();
    expect(Object.keys(SIZES).sort()).toEqual(PAIRS.map((p) => p.id).sort());
    for (const p of PAIRS) for (const s of [p.title, p.blurb, p.xName, p.yName]) expect(s.trim().length).toBeGreaterThan(0);
  });

  it('keeps the list module tiny: no static imports, so no text, in the first page', () => {
    const src = readFileSync(new URL('../datasets/index.ts', import.meta.url), 'utf8');
    expect(src).not.toMatch(/^\s*import\s/m);
    expect(src.length).toBeLessThan(8_000);
  });

  for (const pair of PAIRS) {
    it(`${pair.id}: loads UTF-8 text of the documented size, the same bytes every time`, async () => {
      const a = await pair.load();
      const b = await pair.load();
      for (const [name, data] of [['x', a.x], ['y', a.y]] as const) {
        expect(data).toBeInstanceOf(Uint8Array);
        expect(() => new TextDecoder('utf-8', { fatal: true }).decode(data), `${pair.id}.${name} is not UTF-8`).not.toThrow();
        expect(data.length).toBeGreaterThanOrEqual(MIN_BYTES);
        expect(data.length).toBeLessThanOrEqual(MAX_BYTES);
        expect(data.length).toBe(SIZES[pair.id][name]);
      }
      expect(Buffer.from(b.x).equals(Buffer.from(a.x))).toBe(true);
      expect(Buffer.from(b.y).equals(Buffer.from(a.y))).toBe(true);
      a.x[0] ^= 1; // each load hands out fresh arrays: changing one leaves the next load alone
      const c = await pair.load();
      expect(Buffer.from(c.x).equals(Buffer.from(b.x))).toBe(true);
    });
  }

  it('the default pair is disjoint text: X and Y share no 200-byte substring', async () => {
    const { x, y } = await findPair(DEFAULT_PAIR_ID)!.load();
    expect(shareSubstring(x, y, 200)).toBe(false);
    expect(shareSubstring(y, x, 200)).toBe(false);
    expect(shareSubstring(x, x.slice(5_000, 5_400), 200)).toBe(true); // the check can find a shared piece
  });

  it('the synthetic pairs differ by seed only, and the blurb quotes the true entropy rate', async () => {
    const seeds = findPair('markov-seeds')!;
    const { x, y } = await seeds.load();
    const english = await findPair('markov-english')!.load();
    expect(Buffer.from(english.x).equals(Buffer.from(x))).toBe(true); // the same seed-1 chain in both pairs
    expect(Buffer.from(x).equals(Buffer.from(y))).toBe(false);
    expect(seeds.blurb).toContain(`${MARKOV_ENTROPY.toFixed(3)} bits per letter`);
    for (const data of [x, y]) expect(data.every((byte) => byte >= 0x61 && byte < 0x61 + 16)).toBe(true); // letters a…p
  });
});
