// The comparisons of an experiment's codes, from per-window traces alone: C(Y) − C(Y|·) for every pair of
// runs, the transfer C(Y|C) − C(Y|X), and the joint C(X,Y) − C(X). Pure numbers (no tfjs), so the CLI's
// summary and the page's live panel compute exactly the same thing over exactly the same bytes.
import { conditional, fromCodes, tracePrefix, transfer, type CodeLength, type CodeTrace, type Conditional, type Transfer } from './metrics/bits.ts';

/** C(X,Y) − C(X): the joint code (xy) less X's code alone (x), the seed's K(X,Y) − K(X), beside C(Y) on the
 *  same windows of Y. X's windows are compared over the prefix both x and xy coded. */
export interface JointSummary {
  bits: number; // C(X,Y) − C(X)
  alone: CodeLength; // C(Y) over the same windows of Y
  savedBits: number; // C(Y) − (C(X,Y) − C(X))
  savedFraction: number;
  windowsX: number;
  windowsY: number;
}

export interface Comparison {
  /** 'Y|X': run y against x2y (learning X first); 'Y|X joint': y against xy's Y part (learning both at once);
   *  'Y|C': y against c2y (the control); 'X|Y' and 'X|Y joint' the other way. Always over the same windows. */
  conditional: Record<string, Conditional>;
  transfer: Transfer | null; // C(Y|C) − C(Y|X)
  joint: JointSummary | null;
}

/** [key, source, run alone, run given] of every conditional code an experiment can give. */
export const PAIRS: readonly (readonly [string, string, string, string])[] = [
  ['Y|X', 'Y', 'y', 'x2y'],
  ['Y|X joint', 'Y', 'y', 'xy'],
  ['Y|C', 'Y', 'y', 'c2y'],
  ['X|Y', 'X', 'x', 'y2x'],
  ['X|Y joint', 'X', 'x', 'xy'],
];

/** Every comparison the traces allow. `trace(run, source)`: that run's code of that source so far;
 *  `windowsOf(source)`: the windows in the source's training stream (to tell a mid-run comparison). */
export function compare(trace: (run: string, source: string) => CodeTrace | undefined, windowsOf: (source: string) => number): Comparison {
  const out: Comparison = { conditional: {}, transfer: null, joint: null };
  for (const [key, source, alone, given] of PAIRS) {
    const a = trace(alone, source);
    const g = trace(given, source);
    const c = a && g ? conditional(a, g, windowsOf(source)) : null;
    if (c) out.conditional[key] = c;
  }
  const [ty, tx, tc] = [trace('y', 'Y'), trace('x2y', 'Y'), trace('c2y', 'Y')];
  if (ty && tx && tc) out.transfer = transfer(ty, tx, tc);
  out.joint = jointSummary(trace('x', 'X'), trace('xy', 'X'), trace('xy', 'Y'), ty);
  return out;
}

type MaybeTrace = CodeTrace | undefined;

function jointSummary(xX: MaybeTrace, xyX: MaybeTrace, xyY: MaybeTrace, yY: MaybeTrace): JointSummary | null {
  if (!xX || !xyX || !xyY || !yY) return null;
  const nX = Math.min(xX.bits.length, xyX.bits.length);
  const nY = Math.min(xyY.bits.length, yY.bits.length);
  if (nX === 0 || nY === 0) return null;
  const bits = tracePrefix(xyX, nX).bits + tracePrefix(xyY, nY).bits - tracePrefix(xX, nX).bits;
  const alone = tracePrefix(yY, nY);
  const c = fromCodes(alone, { ...alone, bits }, nY, nY);
  return { bits, alone, savedBits: c.savedBits, savedFraction: c.savedFraction, windowsX: nX, windowsY: nY };
}

/** Appends a chunk of new windows (entries from…) to a trace. A resumed run repeats the windows after its
 *  checkpoint, so the trace is cut back to `from` first; a gap (a chunk that starts past the end) is refused. */
export function appendTrace(t: CodeTrace, chunk: CodeTrace & { from: number }): boolean {
  if (chunk.from > t.bits.length) return false;
  t.bits.length = t.bytes.length = t.tokens.length = chunk.from;
  for (let i = 0; i < chunk.bits.length; i++) {
    t.bits.push(chunk.bits[i]);
    t.bytes.push(chunk.bytes[i]);
    t.tokens.push(chunk.tokens[i]);
  }
  return true;
}

/** A trace's running total: bytes coded and bits spent after each window. */
export function cumulative(t: CodeTrace): { bytes: Float64Array; bits: Float64Array } {
  const bytes = new Float64Array(t.bits.length);
  const bits = new Float64Array(t.bits.length);
  let a = 0;
  let b = 0;
  for (let i = 0; i < t.bits.length; i++) {
    a += t.bytes[i];
    b += t.bits[i];
    bytes[i] = a;
    bits[i] = b;
  }
  return { bytes, bits };
}
