// The context-model baseline against sources of known entropy, its conditional code C(Y|X), its curve, and
// gzip's prefix sizes against zlib in Node (an independent implementation of the same format).
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { iidUniform, stickyMarkov, stickyMarkovBits, stickyMarkovEntropy } from '../datasets/synthetic.ts';
import { ContextModel, contextCode } from '../src/lib/metrics/ctxmodel.ts';
import { gzipPrefixSizes, gzipSize } from '../src/lib/metrics/gzip.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const HEX = '0123456789abcdef';

/** n iid uniform bytes 0…15 (seeded): 4 bits each. */
const uniform16 = (n: number, seed: number) => enc(iidUniform(n, 16, seed, HEX)).map((c) => HEX.indexOf(String.fromCharCode(c)));

/** Some English-like text with the repeats of real text (a fixed pseudo-random walk over a small vocabulary). */
function prose(n: number): Uint8Array {
  const words = 'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were'.split(' ');
  let s = '';
  let r = 12345;
  while (s.length < n) {
    r = (Math.imul(r, 1103515245) + 12345) >>> 0;
    s += words[(r >>> 16) % words.length] + ((r >>> 8) % 11 === 0 ? '. ' : ' ');
  }
  return enc(s.slice(0, n));
}

describe('context model: known entropies', () => {
  it('iid uniform over 16 byte values: 4 bits per symbol at 100k symbols, within 1%, not below the sample', () => {
    const u = uniform16(100_000, 1);
    const counts = new Array(16).fill(0);
    for (const c of u) counts[c]++;
    let empirical = 0; // the sample's own order-0 entropy: no code that does not know the counts beats it by much
    for (const c of counts) empirical -= c * Math.log2(c / u.length);
    const r = contextCode(u);
    expect(r.bytes).toBe(100_000);
    const bps = r.bits / r.bytes;
    expect(bps).toBeGreaterThan(empirical / u.length - 0.002);
    expect(Math.abs(bps - 4) / 4).toBeLessThan(0.01);
  });

  it('sticky Markov chain (k = 4, stay 0.9): within 3% of 0.6275 bits per symbol, not below the true code of the sample', () => {
    const H = stickyMarkovEntropy(4, 0.9);
    expect(H).toBeCloseTo(0.6275, 4);
    const s = stickyMarkov(100_000, 4, 0.9, 1);
    let truth = 8; // the exact code of this very sample under the true chain (first symbol: 8 bits, a byte)
    for (let i = 1; i < s.length; i++) truth += stickyMarkovBits(s[i - 1], s[i], 4, 0.9);
    const r = contextCode(enc(s));
    expect(r.bits).toBeGreaterThan(truth - 0.005 * s.length);
    expect(Math.abs(r.bits / r.bytes - H) / H).toBeLessThan(0.03);
  });
});

describe('context model: conditional code and curve', () => {
  const y = prose(20_000);

  it('C(Y | X) with X = Y itself is far below C(Y), and X unrelated to Y saves little', () => {
    const alone = contextCode(y).bits;
    const self = contextCode(y, { prime: y }).bits;
    const noise = contextCode(y, { prime: uniform16(20_000, 7).map((c) => c + 200) }).bits;
    expect(alone / y.length).toBeLessThan(3.5); // it learns the text at all
    expect(self).toBeLessThan(0.1 * alone);
    expect(noise).toBeGreaterThan(0.9 * alone);
  });

  it('C(X) + C(Y | X) is the code of X then Y, to float rounding', () => {
    const x = prose(30_000).subarray(20_000);
    const xy = new Uint8Array(x.length + y.length);
    xy.set(x);
    xy.set(y, x.length);
    const joint = contextCode(xy, { every: x.length });
    expect(joint.curve.bytes[0]).toBe(x.length);
    const cx = contextCode(x).bits;
    expect(joint.curve.bits[0]).toBeCloseTo(cx, 6);
    expect(joint.bits - cx).toBeCloseTo(contextCode(y, { prime: x }).bits, 6);
  });

  it('the curve is monotone, every `every` bytes, and ends at (bytes, bits)', () => {
    const r = contextCode(y, { every: 3000 });
    expect(r.curve.bytes).toEqual([3000, 6000, 9000, 12000, 15000, 18000, 20000]);
    for (let i = 1; i < r.curve.bits.length; i++) expect(r.curve.bits[i]).toBeGreaterThan(r.curve.bits[i - 1]);
    expect(r.curve.bits.at(-1)).toBe(r.bits);
    // the curve's points are prefixes' codes: the same as coding the prefix alone
    expect(r.curve.bits[1]).toBeCloseTo(contextCode(y.subarray(0, 6000)).bits, 6);
  });

  it('empty input costs 0 bits; the first bit costs 1 bit; results are deterministic', () => {
    expect(contextCode(new Uint8Array(0))).toEqual({ bits: 0, bytes: 0, curve: { bytes: [0], bits: [0] } });
    expect(contextCode(new Uint8Array(0), { prime: y }).bits).toBe(0);
    expect(new ContextModel().p1()).toBeCloseTo(0.5, 2);
    expect(contextCode(y).bits).toBe(contextCode(y).bits);
  });

  it('the model is a proper code: its 256 byte probabilities sum to 1 after any history', () => {
    // learn a history, then, for every byte value, drive a fresh copy of the same model through its 8 bits
    const history = y.subarray(0, 600);
    let total = 0;
    for (let c = 0; c < 256; c++) {
      const m = new ContextModel();
      for (const b of history) m.learnByte(b);
      let p = 1;
      for (let j = 7; j >= 0; j--) {
        const bit = (c >> j) & 1;
        const p1 = m.p1();
        p *= bit ? p1 : 1 - p1;
        m.update(bit);
      }
      total += p;
    }
    expect(total).toBeCloseTo(1, 9);
  });

  it('rejects a bad order or spacing', () => {
    expect(() => contextCode(y, { order: 17 })).toThrow(/order/);
    expect(() => contextCode(y, { every: 0 })).toThrow(/every/);
  });
});

describe('gzip prefix sizes', () => {
  it('match gzipSize of each prefix, and zlib in Node to within its level (default 6, not 9)', async () => {
    const data = prose(50_000);
    const offsets = [0, 1, 1000, 25_000, 50_000];
    const sizes = await gzipPrefixSizes(data, offsets);
    expect(sizes).toHaveLength(5);
    for (let i = 0; i < offsets.length; i++) {
      const prefix = data.subarray(0, offsets[i]);
      expect(sizes[i]).toBe(await gzipSize(prefix));
      expect(sizes[i]).toBe(gzipSync(prefix).length); // zlib's default level, gzip header without a name
    }
    for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThanOrEqual(sizes[i - 1]);
    await expect(gzipPrefixSizes(data, [50_001])).rejects.toThrow(/offset/);
  });
});
