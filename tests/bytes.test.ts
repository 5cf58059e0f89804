// Bits per byte under the char tokenizer: the denominator is UTF-8 bytes (TextEncoder's count), never
// tokens. German and Chinese text has characters of 1 to 3 bytes, so counting tokens would be caught here,
// in the tokenizer, in the prequential code and in validation.
import { beforeAll, describe, expect, it } from 'vitest';
import { evalWindowStarts } from '../src/lib/data/batches.ts';
import { charTokenizer, fitCharVocab } from '../src/lib/data/tokenizer.ts';
import { interleave, planExperiment, startRuns } from '../src/lib/harness.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

const GERMAN = 'Grüße aus Köln! Über die Brücke läuft ein Mädchen mit großem Hund, weiß der Bäcker. ';
const CHINESE = '学习就是压缩：知道X，能省下多少Y的比特？我们在浏览器里训练一个小模型。';
const utf8Bytes = (s: string) => new TextEncoder().encode(s).length;

describe('bytes under the char tokenizer', () => {
  it('each character costs its UTF-8 length, and a text its TextEncoder length', () => {
    const chars = fitCharVocab([{ name: 'X', data: encode(GERMAN + CHINESE + '🎉') }]);
    const tok = charTokenizer(chars);
    chars.forEach((c, i) => expect(tok.bytesPerToken[i], c).toBe(utf8Bytes(c)));
    expect(new Set(tok.bytesPerToken)).toEqual(new Set([1, 2, 3, 4]));
    for (const text of [GERMAN, CHINESE]) {
      const ids = tok.encode(encode(text));
      expect(ids.reduce((a, t) => a + tok.bytesPerToken[t], 0)).toBe(utf8Bytes(text));
      expect(ids.length).toBeLessThan(utf8Bytes(text)); // so tokens would not do
    }
  });

  it('the prequential code and validation count the UTF-8 bytes of exactly the text they score', async () => {
    const cfg = tinyConfig({ tokenizer: 'char', blockSize: 8, batchSize: 4, passes: 1, logEvery: 1, evalEvery: 1000, evalWindows: 6 });
    const exp = planExperiment({ cfg, x: encode(GERMAN.repeat(6)), y: encode(CHINESE.repeat(10)), runs: ['x', 'y'], embed: 'gather' });
    const runs = startRuns(exp);
    for await (const _ of interleave(runs));
    const tok = exp.dataset.tokenizer;
    const T = cfg.blockSize;
    for (const run of runs) {
      for (const [name, code] of Object.entries(run.prequential)) {
        const src = exp.dataset.sources.find((s) => s.name === name)!;
        // every token of the training split is sent once: its bytes are the split's text, as TextEncoder counts them
        expect(code.tokens).toBe(src.train.length);
        expect(code.bytes).toBe(utf8Bytes(tok.decode(src.train)));
        expect(code.bytes).toBeGreaterThan(code.tokens);
      }
      for (const [name, val] of Object.entries(run.lastVal!)) {
        const src = exp.dataset.sources.find((s) => s.name === name)!;
        // the targets of the fixed validation windows (positions 1…T of each), decoded and counted again
        const starts = evalWindowStarts(src.val.length, T, cfg.evalWindows);
        const bytes = starts.reduce((a, s) => a + utf8Bytes(tok.decode(src.val.subarray(s + 1, s + T + 1))), 0);
        expect(val.tokens).toBe(starts.length * T);
        expect(val.bytes).toBe(bytes);
        expect(val.bitsPerByte * val.bytes).toBeCloseTo(val.bitsPerToken * val.tokens, 6);
        expect(val.bitsPerByte).toBeLessThan(val.bitsPerToken);
      }
    }
    for (const r of runs) r.dispose();
  });
});
