// Tokenizers. Byte-level (V = 256, the default) needs no fitting, so nothing leaks between datasets and
// bits per token = bits per byte. Char-level fits one vocabulary over the union of all chosen sources,
// so the x, y and xy runs share it.
import { UserError } from '../config.ts';

export type TokenizerSpec = { type: 'byte' } | { type: 'char'; chars: string[] };

export interface Tokenizer {
  readonly spec: TokenizerSpec;
  readonly vocabSize: number;
  encode(data: Uint8Array, what?: string): Int32Array;
  decode(tokens: ArrayLike<number>): string;
  /** UTF-8 bytes of each token id: the denominator of bits per byte. */
  readonly bytesPerToken: Uint8Array;
}

const utf8 = new TextEncoder();

/** Strict UTF-8 decoding with a message that says where the data stops being text. */
export function decodeUtf8(data: Uint8Array, what = 'the data'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new UserError(`${what} is not valid UTF-8 text (first bad byte near offset ${firstInvalidUtf8(data)}); use the byte tokenizer for binary data`);
  }
}

/** Offset of the first byte that breaks UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
    if (n < 0 || i + n >= b.length) return i; // not a lead byte, or cut short
    for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    if (n === 2 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] >= 0xa0))) return i;
    if (n === 3 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] >= 0x90))) return i;
    i += n + 1;
  }
  return -1;
}

/** Cuts a byte prefix back to a character boundary, so a UTF-8 text stays valid. */
export function utf8Prefix(data: Uint8Array, maxBytes: number): Uint8Array {
  if (maxBytes <= 0 || data.length <= maxBytes) return data;
  let end = maxBytes;
  while (end > 0 && (data[end] & 0xc0) === 0x80) end--;
  return data.subarray(0, end);
}

export function byteTokenizer(): Tokenizer {
  const dec = new TextDecoder('utf-8');
  return {
    spec: { type: 'byte' },
    vocabSize: 256,
    encode: (data) => Int32Array.from(data),
    decode: (tokens) => dec.decode(Uint8Array.from(tokens)),
    bytesPerToken: new Uint8Array(256).fill(1),
  };
}

export function charTokenizer(chars: string[]): Tokenizer {
  if (chars.length === 0) throw new UserError('the character vocabulary is empty');
  const index = new Map<string, number>();
  chars.forEach((c, i) => {
    if ([...c].length !== 1 || index.has(c)) throw new UserError(`bad character vocabulary entry ${JSON.stringify(c)}`);
    index.set(c, i);
  });
  return {
    spec: { type: 'char', chars },
    vocabSize: chars.length,
    encode(data, what = 'the data') {
      const text = decodeUtf8(data, what);
      const out = new Int32Array([...text].length);
      let i = 0;
      for (const ch of text) {
        const id = index.get(ch);
        if (id === undefined) throw new UserError(`${what} has the character ${JSON.stringify(ch)}, which is not in the vocabulary`);
        out[i++] = id;
      }
      return out;
    },
    decode: (tokens) => Array.from(tokens, (t) => chars[t] ?? '\uFFFD').join(''),
    bytesPerToken: Uint8Array.from(chars, (c) => utf8.encode(c).length),
  };
}

/** The vocabulary of a char tokenizer over all sources: sorted by code point, so it is the same whatever the order of sources. */
export function fitCharVocab(sources: { name: string; data: Uint8Array }[]): string[] {
  const set = new Set<string>();
  for (const s of sources) for (const ch of decodeUtf8(s.data, s.name)) set.add(ch);
  return [...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
}

export function makeTokenizer(kind: 'byte' | 'char', sources: { name: string; data: Uint8Array }[]): Tokenizer {
  return kind === 'byte' ? byteTokenizer() : charTokenizer(fitCharVocab(sources));
}

export function tokenizerFromSpec(spec: TokenizerSpec): Tokenizer {
  if (spec && spec.type === 'byte') return byteTokenizer();
  if (spec && spec.type === 'char' && Array.isArray(spec.chars) && spec.chars.every((c) => typeof c === 'string')) return charTokenizer(spec.chars);
  throw new UserError('unrecognised tokenizer description (expected {"type":"byte"} or {"type":"char","chars":[...]})');
}
