// Pure arithmetic of code lengths: nats → bits, bits per token ↔ bits per byte, and C(Y|X). No tfjs.

/** A code length with what it covers: always report bits together with the bytes they encode. */
export interface CodeLength {
  bits: number;
  bytes: number; // UTF-8 bytes of the text coded
  tokens: number;
}

export const natsToBits = (nats: number): number => nats / Math.LN2;

export const emptyCode = (): CodeLength => ({ bits: 0, bytes: 0, tokens: 0 });

export const bitsPerByte = (c: CodeLength): number => (c.bytes > 0 ? c.bits / c.bytes : NaN);
export const bitsPerToken = (c: CodeLength): number => (c.tokens > 0 ? c.bits / c.tokens : NaN);

export function addCode(a: CodeLength, b: CodeLength): CodeLength {
  return { bits: a.bits + b.bits, bytes: a.bytes + b.bytes, tokens: a.tokens + b.tokens };
}

/** A source's prequential code window by window, in the order the stream coded them. Two runs that visit a
 *  source's windows in the same order (y, x2y, c2y, and xy's Y part) send the same bytes in their first n
 *  windows, so comparing their first n windows compares codes of exactly the same text. */
export interface CodeTrace {
  bits: number[]; // bits of each window's newly sent tokens
  bytes: number[]; // UTF-8 bytes of those tokens
  tokens: number[];
}

export const emptyTrace = (): CodeTrace => ({ bits: [], bytes: [], tokens: [] });

/** The code of the first n windows of a trace. */
export function tracePrefix(t: CodeTrace, n: number): CodeLength {
  const c = emptyCode();
  for (let i = 0; i < Math.min(n, t.bits.length); i++) {
    c.bits += t.bits[i];
    c.bytes += t.bytes[i];
    c.tokens += t.tokens[i];
  }
  return c;
}

/** What knowing the other source saved on this one: C(Y) − C(Y|X), always over the same windows of Y. */
export interface Conditional {
  alone: CodeLength; // C(Y): Y's code in the run on Y alone, over the windows compared
  given: CodeLength; // C(Y|X): Y's code in the conditional run, over the same windows
  windows: number; // windows of Y compared: the prefix both runs have coded
  streamWindows: number; // windows in Y's training stream: windows < streamWindows is a mid-run comparison
  savedBits: number; // C(Y) − C(Y|X), negative when X got in the way
  savedBitsPerByte: number;
  savedFraction: number; // saved / C(Y): how much smaller Y's code is after X
}

/** Compares two codes of the same source over the windows both have coded (the common prefix). Null when
 *  either has coded nothing, or when the prefixes hold different bytes (the runs visit Y in different orders). */
export function conditional(alone: CodeTrace, given: CodeTrace, streamWindows: number): Conditional | null {
  const n = Math.min(alone.bits.length, given.bits.length);
  if (n === 0) return null;
  const a = tracePrefix(alone, n);
  const g = tracePrefix(given, n);
  if (a.bytes !== g.bytes || a.tokens !== g.tokens) return null;
  return fromCodes(a, g, n, streamWindows);
}

/** C(Y) − C(Y|·) from two codes of the same bytes. */
export function fromCodes(alone: CodeLength, given: CodeLength, windows: number, streamWindows: number): Conditional {
  const saved = alone.bits - given.bits;
  return {
    alone,
    given,
    windows,
    streamWindows,
    savedBits: saved,
    savedBitsPerByte: alone.bytes > 0 ? saved / alone.bytes : NaN,
    savedFraction: alone.bits > 0 ? saved / alone.bits : NaN,
  };
}

/** transfer = C(Y|C) − C(Y|X): the bits of Y that only X's order explains, over the windows all three runs
 *  (y, x2y and c2y) have coded. */
export interface Transfer {
  bits: number;
  bitsPerByte: number;
  fraction: number; // of C(Y) over the same windows
  bytes: number;
  windows: number;
}

export function transfer(alone: CodeTrace, givenX: CodeTrace, givenC: CodeTrace): Transfer | null {
  const n = Math.min(alone.bits.length, givenX.bits.length, givenC.bits.length);
  if (n === 0) return null;
  const [a, x, c] = [alone, givenX, givenC].map((t) => tracePrefix(t, n));
  if (a.bytes !== x.bytes || a.bytes !== c.bytes) return null;
  const bits = c.bits - x.bits;
  return { bits, bitsPerByte: bits / a.bytes, fraction: bits / a.bits, bytes: a.bytes, windows: n };
}

/** Size in bytes of a code of `bits` bits. */
export const bitsToBytes = (bits: number): number => Math.ceil(bits / 8);
