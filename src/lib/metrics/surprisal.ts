// The surprisal map: per-token bits of two models over one source's fixed validation windows, mapped onto
// the characters of the text (a byte token is part of a character, a char token is one), and the words
// where the second model saved or spent the most bits. Pure numbers and strings: no tfjs.
import type { Tokenizer } from '../data/tokenizer.ts';

/** Where each scored token lands in the text: the characters the validation windows score, in order. */
export interface CharLayout {
  chars: string[]; // one code point each ('\uFFFD' for a byte that is not part of valid UTF-8)
  bytes: Uint8Array; // UTF-8 bytes of each character (the denominator of bits per byte)
  partial: Uint8Array; // 1: only some of the character's tokens are scored (a window's edge cut through it)
  charOf: Int32Array; // for each scored token, in window order (window-major, T per window): its character
  segments: number[]; // index of the first character of each run of contiguous windows (a gap before it)
}

/** The map of two models over the same characters. Probabilities follow from the bits: p = 2^−bits. */
export interface SurprisalMap {
  source: string; // 'Y'
  alone: { run: string; step: number }; // the model trained on the source alone (run y)
  given: { run: string; step: number }; // the model that learnt X first (x2y), or both at once (xy)
  text: string; // the characters, joined
  bytes: Uint8Array; // per character, UTF-8 bytes
  partial: Uint8Array; // per character, 1 where a window edge cut it
  bitsAlone: Float64Array; // per character, bits the alone model spent on it
  bitsGiven: Float64Array; // per character, bits the given model spent on it
  segments: number[]; // first character of each contiguous stretch
  tokens: number; // tokens scored
  helped: WordSaving[]; // words where the given model saved the most bits, most first
  hurt: WordSaving[]; // words where it spent the most extra bits, most first
}

export interface WordSaving {
  word: string;
  count: number; // occurrences in the scored text
  saved: number; // bits: Σ (alone − given) over every occurrence
  bitsAlone: number; // bits, over every occurrence
  bitsGiven: number;
  first: number; // character index of its first occurrence
}

/** Character boundaries of a token sequence: for each token, the index of its character, and the characters. */
export function tokenCharacters(tokenizer: Tokenizer, tokens: Int32Array): { chars: string[]; bytes: number[]; charOf: Int32Array; width: number[] } {
  const spec = tokenizer.spec;
  const charOf = new Int32Array(tokens.length);
  const chars: string[] = [];
  const bytes: number[] = [];
  const width: number[] = []; // tokens per character
  switch (spec.type) {
    case 'char':
      // a token is one character
      for (let i = 0; i < tokens.length; i++) {
        charOf[i] = i;
        chars.push(spec.chars[tokens[i]] ?? '\uFFFD');
        bytes.push(tokenizer.bytesPerToken[tokens[i]] ?? 1);
        width.push(1);
      }
      return { chars, bytes, charOf, width };
    case 'byte': {
      // a token is a byte: group the bytes of each UTF-8 sequence; a byte that starts none stands alone
      let i = 0;
      while (i < tokens.length) {
        const n = utf8Length(tokens, i);
        const c = chars.length;
        for (let k = 0; k < n; k++) charOf[i + k] = c;
        chars.push(n === 1 && tokens[i] >= 0x80 ? '\uFFFD' : String.fromCodePoint(codePoint(tokens, i, n)));
        bytes.push(n);
        width.push(n);
        i += n;
      }
      return { chars, bytes, charOf, width };
    }
    default: {
      const never: never = spec;
      throw new Error(`no character mapping for tokenizer ${JSON.stringify(never)}`);
    }
  }
}

/** Length of the valid UTF-8 sequence at b[i] (1 for ASCII, and for a byte that starts no valid sequence). */
function utf8Length(b: ArrayLike<number>, i: number): number {
  const c = b[i];
  const n = c < 0x80 ? 0 : c >= 0xc2 && c < 0xe0 ? 1 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xf0 && c < 0xf5 ? 3 : -1;
  if (n <= 0 || i + n >= b.length) return 1; // ASCII, not a lead byte, or cut short
  for (let k = 1; k <= n; k++) if ((b[i + k] & 0xc0) !== 0x80) return 1;
  // overlong three-byte forms and surrogates; four-byte forms beyond U+10FFFF
  if (n === 2 && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] >= 0xa0))) return 1;
  if (n === 3 && ((c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] >= 0x90))) return 1;
  return n + 1;
}

function codePoint(b: ArrayLike<number>, i: number, n: number): number {
  if (n === 1) return b[i];
  let cp = b[i] & (n === 2 ? 0x1f : n === 3 ? 0x0f : 0x07);
  for (let k = 1; k < n; k++) cp = (cp << 6) | (b[i + k] & 0x3f);
  return cp;
}

/** The characters that fixed validation windows score: window w scores tokens start+1 … start+T of `val`. */
export function charLayout(tokenizer: Tokenizer, val: Int32Array, starts: number[], T: number): CharLayout {
  const all = tokenCharacters(tokenizer, val);
  const charOf = new Int32Array(starts.length * T);
  const chars: string[] = [];
  const bytes: number[] = [];
  const seen: number[] = []; // scored tokens of each output character
  const segments: number[] = [];
  let prevEnd = -1; // the last window's last scored position
  let prevChar = -1; // the text's character index of the last output character
  starts.forEach((start, w) => {
    // window w's targets follow the last window's unless there is a gap; after a gap, a new stretch
    if (start !== prevEnd) {
      segments.push(chars.length);
      prevChar = -1;
    }
    for (let j = 1; j <= T; j++) {
      const pos = start + j;
      const c = all.charOf[pos];
      if (c !== prevChar) {
        chars.push(all.chars[c]);
        bytes.push(all.bytes[c]);
        seen.push(0);
        prevChar = c;
      }
      seen[seen.length - 1]++;
      charOf[w * T + j - 1] = chars.length - 1;
    }
    prevEnd = start + T;
  });
  const partial = Uint8Array.from(seen, (n, i) => (n < tokensOf(tokenizer, bytes[i]) ? 1 : 0));
  return { chars, bytes: Uint8Array.from(bytes), partial, charOf, segments };
}

/** Tokens a character of `bytes` UTF-8 bytes takes. */
function tokensOf(tokenizer: Tokenizer, bytes: number): number {
  return tokenizer.spec.type === 'byte' ? bytes : 1;
}

/** Per-character bits: the sum of the bits of the character's scored tokens. */
export function charBits(layout: CharLayout, tokenBits: ArrayLike<number>): Float64Array {
  if (tokenBits.length !== layout.charOf.length) throw new Error(`expected bits for ${layout.charOf.length} tokens, got ${tokenBits.length}`);
  const out = new Float64Array(layout.chars.length);
  for (let i = 0; i < tokenBits.length; i++) out[layout.charOf[i]] += tokenBits[i];
  return out;
}

/** Splits text into words: Intl.Segmenter where it exists (it also splits Chinese into words), else runs of
 *  letters and digits. Offsets are in code points. */
export function words(chars: string[]): { start: number; end: number }[] {
  const text = chars.join('');
  // UTF-16 offset → code point index
  const cpAt = new Int32Array(text.length + 1);
  let u = 0;
  chars.forEach((c, i) => {
    for (let k = 0; k < c.length; k++) cpAt[u + k] = i;
    u += c.length;
  });
  cpAt[text.length] = chars.length;
  const out: { start: number; end: number }[] = [];
  const Seg = (Intl as { Segmenter?: typeof Intl.Segmenter }).Segmenter;
  if (Seg) {
    for (const s of new Seg(undefined, { granularity: 'word' }).segment(text)) {
      if (s.isWordLike) out.push({ start: cpAt[s.index], end: cpAt[s.index + s.segment.length] });
    }
    return out;
  }
  for (const m of text.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) out.push({ start: cpAt[m.index!], end: cpAt[m.index! + m[0].length] });
  return out;
}

/** The words where `given` saved the most bits against `alone`, and where it spent the most extra, summed
 *  over every occurrence. Words never cross a gap between stretches. */
export function wordSavings(chars: string[], segments: number[], alone: Float64Array, given: Float64Array, k = 8): { helped: WordSaving[]; hurt: WordSaving[] } {
  const by = new Map<string, WordSaving>();
  const bounds = [...segments.filter((s) => s > 0), chars.length];
  let from = 0;
  for (const to of bounds) {
    for (const w of words(chars.slice(from, to))) {
      const a = from + w.start;
      const b = from + w.end;
      const word = chars.slice(a, b).join('');
      let e = by.get(word);
      if (!e) by.set(word, (e = { word, count: 0, saved: 0, bitsAlone: 0, bitsGiven: 0, first: a }));
      e.count++;
      for (let i = a; i < b; i++) {
        e.bitsAlone += alone[i];
        e.bitsGiven += given[i];
      }
      e.saved = e.bitsAlone - e.bitsGiven;
    }
    from = to;
  }
  const all = [...by.values()];
  return {
    helped: all.filter((e) => e.saved > 0).sort((p, q) => q.saved - p.saved).slice(0, k),
    hurt: all.filter((e) => e.saved < 0).sort((p, q) => p.saved - q.saved).slice(0, k),
  };
}

/** The whole map, from each model's per-token bits over the same windows (window-major, T per window). */
export function surprisalMap(
  layout: CharLayout,
  alone: { run: string; step: number; tokenBits: ArrayLike<number> },
  given: { run: string; step: number; tokenBits: ArrayLike<number> },
  source = 'Y',
): SurprisalMap {
  const bitsAlone = charBits(layout, alone.tokenBits);
  const bitsGiven = charBits(layout, given.tokenBits);
  const { helped, hurt } = wordSavings(layout.chars, layout.segments, bitsAlone, bitsGiven);
  return {
    source,
    alone: { run: alone.run, step: alone.step },
    given: { run: given.run, step: given.step },
    text: layout.chars.join(''),
    bytes: layout.bytes,
    partial: layout.partial,
    bitsAlone,
    bitsGiven,
    segments: layout.segments,
    tokens: layout.charOf.length,
    helped,
    hurt,
  };
}

/** Total bits of a per-character array (for the map's headline, and for the check against validation). */
export const totalBits = (bits: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < bits.length; i++) s += bits[i];
  return s;
};
