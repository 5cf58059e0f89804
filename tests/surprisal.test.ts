// The surprisal map: its per-character bits add up to each model's validation bits over the same windows
// (as Run.evaluate() sums them), and its characters are the text's, under both tokenizers, on German and
// Chinese text where a character is several bytes.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDataset, evalWindowStarts } from '../src/lib/data/batches.ts';
import { byteTokenizer, makeTokenizer, type Tokenizer } from '../src/lib/data/tokenizer.ts';
import { planExperiment } from '../src/lib/harness.ts';
import { charLayout, charBits, totalBits, wordSavings } from '../src/lib/metrics/surprisal.ts';
import { Rng } from '../src/lib/rng.ts';
import { Run } from '../src/lib/train/loop.ts';
import { computeSurprisal } from '../src/lib/train/tokenbits.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

const GERMAN = 'Grüße aus Köln: Über die Straße läuft ein Bär. ';
const CHINESE = '北京欢迎你，我们一起学习。';
const TEXT = (GERMAN + CHINESE + 'ok 🎉\n').repeat(40);
const utf8Len = (c: string) => encode(c).length;

beforeAll(async () => {
  await useBackend('cpu');
});

/** The reference: for each window, the characters its targets touch and the bits each gets, read straight
 *  from the UTF-8 bytes of the text (continuation bytes are 10xxxxxx), independently of the map's code. */
function reference(tokenizer: Tokenizer, val: Int32Array, starts: number[], T: number, bits: Float32Array) {
  const chars: string[] = [];
  const charBitsRef: number[] = [];
  let prevEnd = -1;
  let open = -1; // the last character's end position (exclusive) in val, in tokens
  starts.forEach((start, w) => {
    if (start !== prevEnd) open = -1;
    for (let j = 1; j <= T; j++) {
      const pos = start + j;
      if (pos < open) {
        charBitsRef[charBitsRef.length - 1] += bits[w * T + j - 1];
        continue;
      }
      if (tokenizer.spec.type === 'char') {
        chars.push(tokenizer.decode([val[pos]]));
        open = pos + 1;
      } else {
        let a = pos;
        while (a > 0 && (val[a] & 0xc0) === 0x80) a--; // back to the lead byte
        const lead = val[a];
        const n = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
        chars.push(new TextDecoder().decode(Uint8Array.from(val.subarray(a, a + n))));
        open = a + n;
      }
      charBitsRef.push(bits[w * T + j - 1]);
    }
    prevEnd = start + T;
  });
  return { chars, charBitsRef };
}

describe('surprisal map: characters', () => {
  for (const kind of ['byte', 'char'] as const) {
    it(`${kind} tokenizer: German and Chinese characters get the bits of exactly their tokens`, () => {
      const tokenizer = kind === 'byte' ? byteTokenizer() : makeTokenizer('char', [{ name: 'Y', data: encode(TEXT) }]);
      const val = tokenizer.encode(encode(TEXT));
      const T = 7; // odd, so windows cut through multi-byte characters
      const rng = new Rng(3);
      // all windows (contiguous), and a spread subset (gaps between them)
      for (const max of [1000, 5]) {
        const starts = evalWindowStarts(val.length, T, max);
        const bits = Float32Array.from({ length: starts.length * T }, () => rng.float() * 8);
        const layout = charLayout(tokenizer, val, starts, T);
        const ref = reference(tokenizer, val, starts, T, bits);
        expect(layout.chars).toEqual(ref.chars);
        const got = charBits(layout, bits);
        ref.charBitsRef.forEach((b, i) => expect(got[i]).toBeCloseTo(b, 4));
        expect(totalBits(got)).toBeCloseTo(totalBits(bits), 2);
        expect(Array.from(layout.bytes)).toEqual(layout.chars.map(utf8Len));
        // characters are whole code points: ü is 2 bytes, 北 3, 🎉 4
        const at = (c: string) => layout.chars.indexOf(c);
        if (at('ü') >= 0) expect(layout.bytes[at('ü')]).toBe(2);
        if (at('北') >= 0) expect(layout.bytes[at('北')]).toBe(3);
        if (at('🎉') >= 0) expect(layout.bytes[at('🎉')]).toBe(4);
        // a character is partial only where a window edge cut it (byte tokenizer, at a gap)
        for (let i = 0; i < layout.chars.length; i++) {
          const scored = Array.from(layout.charOf).filter((c) => c === i).length;
          expect(layout.partial[i]).toBe(scored < (kind === 'byte' ? layout.bytes[i] : 1) ? 1 : 0);
        }
        if (kind === 'char' || max === 1000) expect(Array.from(layout.partial).filter((p) => p).length).toBeLessThanOrEqual(kind === 'char' ? 0 : 1);
        expect(layout.segments.length).toBe(max === 1000 ? 1 : starts.length);
      }
    });
  }

  it('words: German and Chinese words, summed over occurrences, ranked by bits saved', () => {
    const tokenizer = byteTokenizer();
    const text = 'Köln Köln Bär 北京 ';
    const val = tokenizer.encode(encode('.' + text)); // the first token is context only
    const layout = charLayout(tokenizer, val, [0], val.length - 1);
    expect(layout.chars.join('')).toBe(text);
    const alone = Float64Array.from(layout.chars, () => 2);
    const given = Float64Array.from(layout.chars, (c) => (c === 'B' || c === 'ä' || c === 'r' ? 3 : 1)); // helps everywhere but on Bär
    const { helped, hurt } = wordSavings(layout.chars, layout.segments, alone, given);
    expect(helped[0]).toMatchObject({ word: 'Köln', count: 2, saved: 8 });
    expect(helped.map((w) => w.word)).toContain('北京');
    expect(hurt).toEqual([expect.objectContaining({ word: 'Bär', count: 1, saved: -3 })]);
  });
});

describe('surprisal map: bits', () => {
  for (const kind of ['byte', 'char'] as const) {
    it(`${kind} tokenizer: per-character bits sum to each model's validation bits over the same windows`, async () => {
      const cfg = tinyConfig({ tokenizer: kind, evalWindows: 6 });
      const x = encode('The quick brown fox jumps over the lazy dog. '.repeat(30) + CHINESE);
      const exp = planExperiment({ cfg, x, y: encode(TEXT), runs: ['x', 'y'], control: 'none', embed: 'gather' });
      const runs = exp.specs.map((s) => new Run({ ...s, init: exp.init }));
      for (const r of runs) for (let i = 0; i < 3; i++) r.trainStep();
      const [rx, ry] = runs;
      const iY = exp.dataset.sources.findIndex((s) => s.name === 'Y');
      const valX = (await rx.evaluate()).Y;
      const valY = (await ry.evaluate()).Y;
      const map = (await computeSurprisal(exp.dataset, exp.cfg, iY, 'gather', { run: 'y', step: ry.step, params: ry.params }, { run: 'x', step: rx.step, params: rx.params }))!;
      expect(map.tokens).toBe(valY.tokens);
      // the loop's own figure, summed on the device in one go; the map's, per token and then per character
      expect(totalBits(map.bitsAlone) / (valY.bitsPerToken * valY.tokens)).toBeCloseTo(1, 5);
      expect(totalBits(map.bitsGiven) / (valX.bitsPerToken * valX.tokens)).toBeCloseTo(1, 5);
      expect(valX.bitsPerToken).not.toBeCloseTo(valY.bitsPerToken, 3); // two different models
      expect(map.text.length).toBeGreaterThan(0);
      expect([...map.text].length).toBe(map.bitsAlone.length);
      if (kind === 'char') expect(map.bytes.reduce((a, b) => a + b, 0)).toBe(valY.bytes);
      for (const r of runs) r.dispose();
    });
  }
});
