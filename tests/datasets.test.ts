// The bundled pairs (datasets/index.ts): each loads, is UTF-8 text of the documented size, the default
// pair's X and Y share no text, synthetic sources repeat exactly, and the list module stays free of text.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PAIR_ID, PAIRS, findPair } from '../datasets/index.ts';
import { MARKOV_ENTROPY } from '../datasets/sources/markov.ts';

// Exact sizes in bytes and the first 16 hex digits of each source's SHA-256, as datasets/README.md gives
// them: the bundled data is fixed, so a change here is a change of the data (or of the seeded generators).
const OBAMA = { bytes: 236_123, sha256: 'e74357ead911739d' };
const EXPECTED: Record<string, Record<'x' | 'y', { bytes: number; sha256: string }>> = {
  sotu: { x: { bytes: 236_593, sha256: '491b7b0d2399620b' }, y: OBAMA },
  'sotu-1790s': { x: { bytes: 229_880, sha256: 'e50bc6cd0767e812' }, y: OBAMA },
  'letters-english': { x: { bytes: 236_000, sha256: '705c563779d38812' }, y: OBAMA },
  'noise-english': { x: { bytes: 235_998, sha256: 'c0d008b8c2139df2' }, y: OBAMA },
  'sotu-large': { x: { bytes: 10_276_231, sha256: '5bf55ce11c7dfcab' }, y: OBAMA },
  'markov-seeds': { x: { bytes: 100_000, sha256: 'ad0218de678ab95d' }, y: { bytes: 100_000, sha256: '9378160bba3bbf1c' } },
};

const MIN_BYTES = 50_000; // below this, too little to learn from
const MAX_BYTES = 300_000; // above this, too slow to train in a browser tab on a CPU
const LARGE = new Set(['sotu-large']); // the one pair meant for a GPU (or hours): its X is 10 MB

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
  it('lists 3–6 pairs with unique ids, the default among them', () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(3);
    expect(PAIRS.length).toBeLessThanOrEqual(6);
    expect(new Set(PAIRS.map((p) => p.id)).size).toBe(PAIRS.length);
    expect(findPair(DEFAULT_PAIR_ID)).toBeDefined();
    expect(Object.keys(EXPECTED).sort()).toEqual(PAIRS.map((p) => p.id).sort());
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
        expect(data.length).toBeLessThanOrEqual(LARGE.has(pair.id) && name === 'x' ? 32 * 2 ** 20 : MAX_BYTES);
        expect(data.length).toBe(EXPECTED[pair.id][name].bytes);
        expect(createHash('sha256').update(data).digest('hex').slice(0, 16)).toBe(EXPECTED[pair.id][name].sha256);
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

  it('no pair shares a 200-byte substring between X and Y', async () => {
    for (const pair of PAIRS) {
      const { x, y } = await pair.load();
      expect(shareSubstring(x, y, 200), pair.id).toBe(false);
    }
  });

  it('the Markov pair differs by seed only, and its blurb quotes the true entropy rate', async () => {
    const seeds = findPair('markov-seeds')!;
    const { x, y } = await seeds.load();
    const letters = await findPair('letters-english')!.load();
    expect(Buffer.from(letters.x.subarray(0, x.length)).equals(Buffer.from(x))).toBe(true); // one seed-1 chain, two lengths
    expect(Buffer.from(x).equals(Buffer.from(y))).toBe(false);
    expect(seeds.blurb).toContain(`${MARKOV_ENTROPY.toFixed(3)} bits per letter`);
    for (const data of [x, y]) expect(data.every((byte) => byte >= 0x61 && byte < 0x61 + 16)).toBe(true); // letters a…p
  });

  it('the noise shares no byte value with the English it is paired with', async () => {
    const { x, y } = await findPair('noise-english')!.load();
    const inY = new Set(y);
    expect(x.some((byte) => inY.has(byte))).toBe(false);
    expect(y.every((byte) => byte < 0x80)).toBe(true); // the Obama text is plain ASCII
  });
});
