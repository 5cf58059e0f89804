import { describe, expect, it } from 'vitest';
import { UserError } from '../src/lib/config.ts';
import { byteTokenizer, charTokenizer, firstInvalidUtf8, fitCharVocab, makeTokenizer, tokenizerFromSpec, utf8Prefix } from '../src/lib/data/tokenizer.ts';
import { Rng } from '../src/lib/rng.ts';
import { encode } from './helpers.ts';

const samples = ['', 'hello', 'naïve café — “quotes”', '日本語のテキスト', 'emoji 🎉👩‍👩‍👧 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'tabs\tand\nnewlines\r\n', '\u0000nul\u0000'];

function randomText(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    // any code point outside the surrogate range
    let cp = rng.int(0x110000 - 0x800);
    if (cp >= 0xd800) cp += 0x800;
    s += String.fromCodePoint(cp);
  }
  return s;
}

describe('tokenizers', () => {
  it('byte level: decode(encode(text)) is the text, and V = 256', () => {
    const t = byteTokenizer();
    expect(t.vocabSize).toBe(256);
    const rng = new Rng(7);
    for (const s of [...samples, randomText(rng, 500)]) expect(t.decode(t.encode(encode(s)))).toBe(s);
  });

  it('char level: the vocabulary is the union over all sources, the same whatever their order', () => {
    const a = { name: 'X', data: encode('abcab') };
    const b = { name: 'Y', data: encode('cdé') };
    expect(fitCharVocab([a, b])).toEqual(['a', 'b', 'c', 'd', 'é']);
    expect(fitCharVocab([b, a])).toEqual(fitCharVocab([a, b]));
    const t = makeTokenizer('char', [a, b]);
    expect(t.vocabSize).toBe(5);
    expect(Array.from(t.bytesPerToken)).toEqual([1, 1, 1, 1, 2]);
  });

  it('char level: decode(encode(text)) is the text, for any UTF-8 text', () => {
    const rng = new Rng(11);
    for (const s of [...samples.filter(Boolean), randomText(rng, 2000)]) {
      const t = makeTokenizer('char', [{ name: 'X', data: encode(s) }]);
      expect(t.decode(t.encode(encode(s)))).toBe(s);
      expect(t.encode(encode(s)).length).toBe([...s].length);
    }
  });

  it('char level refuses bytes that are not UTF-8, saying where', () => {
    const bad = new Uint8Array([0x61, 0x62, 0xff, 0x63]);
    expect(firstInvalidUtf8(bad)).toBe(2);
    expect(() => makeTokenizer('char', [{ name: 'X', data: bad }])).toThrow(/X is not valid UTF-8 text \(first bad byte near offset 2\)/);
    expect(firstInvalidUtf8(new Uint8Array([0xe2, 0x82]))).toBe(0); // cut short
    expect(firstInvalidUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toBe(0); // an encoded surrogate
    expect(firstInvalidUtf8(encode('ok ✓ 🎉'))).toBe(-1);
  });

  it('char level refuses a character outside its vocabulary', () => {
    const t = charTokenizer(['a', 'b']);
    expect(() => t.encode(encode('abc'), 'Y')).toThrow(UserError);
  });

  it('a byte prefix is cut back to a character boundary', () => {
    const data = encode('aé🎉');
    expect(new TextDecoder().decode(utf8Prefix(data, 2))).toBe('a');
    expect(new TextDecoder().decode(utf8Prefix(data, 3))).toBe('aé');
    expect(new TextDecoder().decode(utf8Prefix(data, 6))).toBe('aé');
    expect(utf8Prefix(data, 100)).toBe(data);
  });

  it('a spec round-trips, and a bad one is refused', () => {
    const t = charTokenizer(['x', 'y', 'z']);
    expect(tokenizerFromSpec(JSON.parse(JSON.stringify(t.spec))).vocabSize).toBe(3);
    expect(tokenizerFromSpec({ type: 'byte' }).vocabSize).toBe(256);
    expect(() => tokenizerFromSpec({ type: 'bpe' } as never)).toThrow(UserError);
    expect(() => charTokenizer(['a', 'a'])).toThrow(UserError);
  });
});
