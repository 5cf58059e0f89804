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

/** What knowing the other source saved on this one: C(Y) − C(Y|X), from the Y-part of two runs' prequential codes.
 *  Bits saved are only given when both codes cover the same text; bits per byte always compare. */
export interface Conditional {
  alone: CodeLength; // C(Y): Y's code in the run on Y alone
  given: CodeLength; // C(Y|X): Y's part of the code in the run on X and Y
  savedBits: number | null; // C(Y) − C(Y|X), null when the two cover different amounts of Y
  savedBitsPerByte: number;
  savedFraction: number; // saved / C(Y): how much smaller Y's code is after X
}

export function conditional(alone: CodeLength, given: CodeLength): Conditional {
  const sameText = alone.bytes === given.bytes && alone.tokens === given.tokens && alone.bytes > 0;
  const saved = bitsPerByte(alone) - bitsPerByte(given);
  return {
    alone,
    given,
    savedBits: sameText ? alone.bits - given.bits : null,
    savedBitsPerByte: saved,
    savedFraction: saved / bitsPerByte(alone),
  };
}

/** Size in bytes of a code of `bits` bits. */
export const bitsToBytes = (bits: number): number => Math.ceil(bits / 8);
