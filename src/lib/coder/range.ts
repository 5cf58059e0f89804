// A range coder, written for kxy: LZMA's carry-propagating design (a pending byte plus a run of 0xFF bytes
// that a carry can still change), with a 48-bit window held in JS numbers (exact below 2^53), over integer
// frequency tables with totals up to 2^24; and the quantizer that turns a float32 distribution into a table.

const WINDOW = 2 ** 48; // low and range live in [0, 2^48); low ≥ 2^48 means a carry into the bytes before it
const BOTTOM = 2 ** 40; // below this the range shifts out a byte, so range ≥ 2^40 between symbols
const TOP_BYTE = 2 ** 40; // the weight of the window's top byte
/** Largest table total: floor(range / total) ≥ 2^16, so rounding loses at most 2^-16 of the range per symbol. */
export const MAX_TOTAL = 2 ** 24;

/** A bit stream that does not decode: corrupt or cut short. */
export class CorruptStream extends Error {
  override name = 'CorruptStream';
}

export class RangeEncoder {
  private low = 0;
  private range = WINDOW;
  private cache = -1; // the byte a carry may still increment; -1 before the first (which is never needed)
  private pendingFF = 0; // 0xFF bytes after the cache: a carry turns them into 0x00
  private buf = new Uint8Array(1 << 12);
  private n = 0;
  private done = false;

  /** Codes the interval [start, start + freq) of [0, total). */
  encode(start: number, freq: number, total: number): void {
    if (!(freq >= 1 && start >= 0 && start + freq <= total && total <= MAX_TOTAL)) throw new Error(`cannot code [${start}, ${start + freq}) of ${total}`);
    const r = Math.floor(this.range / total);
    this.low += r * start; // < 2^49: exact
    this.range = r * freq;
    while (this.range < BOTTOM) {
      this.shiftLow();
      this.range *= 256;
    }
  }

  /** Bytes written so far (the final size is known after finish()). */
  get length(): number {
    return this.n;
  }

  private shiftLow(): void {
    const top = Math.floor(this.low / TOP_BYTE); // 0…0x1FF: the top byte, and the carry above it
    if (top === 0xff) {
      this.pendingFF++; // undecided: a later carry would make it 0x00 and bump the cache
    } else {
      const carry = top >>> 8;
      if (this.cache >= 0) this.push(this.cache + carry);
      for (; this.pendingFF > 0; this.pendingFF--) this.push((0xff + carry) & 0xff);
      this.cache = top & 0xff;
    }
    this.low = (this.low % TOP_BYTE) * 256;
  }

  private push(byte: number): void {
    if (byte > 0xff) throw new Error('range coder: carry overflow (a bug)');
    if (this.n === this.buf.length) {
      const bigger = new Uint8Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = byte;
  }

  /** Ends the stream with as few bytes as pin the final interval down (the decoder reads zeros past the end). */
  finish(): Uint8Array {
    if (!this.done) {
      // the smallest multiple of 2^40 at or above low lies inside [low, low + range), since range ≥ 2^40
      this.low = Math.ceil(this.low / TOP_BYTE) * TOP_BYTE;
      this.shiftLow(); // settles the carry; the window is now zero
      if (this.cache >= 0) this.push(this.cache);
      for (; this.pendingFF > 0; this.pendingFF--) this.push(0xff);
      // trailing zero bytes are implied
      while (this.n > 0 && this.buf[this.n - 1] === 0) this.n--;
      this.done = true;
    }
    return this.buf.slice(0, this.n);
  }
}

export class RangeDecoder {
  private code = 0; // the coded value less low: always in [0, range), even on corrupt input
  private range = WINDOW;
  private r = 0;
  private pos: number;
  /** Bytes read past the end, which read as zeros (the encoder leaves out the zeros that end a stream). */
  overrun = 0;

  constructor(
    private readonly buf: Uint8Array,
    offset = 0,
    private readonly end = buf.length,
  ) {
    this.pos = offset;
    for (let i = 0; i < 6; i++) this.code = this.code * 256 + this.next();
  }

  private next(): number {
    if (this.pos < this.end) return this.buf[this.pos++];
    this.overrun++;
    return 0;
  }

  /** The position of the next symbol in [0, total); follow with consume(). Throws CorruptStream when there is none. */
  target(total: number): number {
    const r = Math.floor(this.range / total);
    let v = Math.floor(this.code / r);
    // floating division may land one off for large r: correct with exact products (all < 2^50)
    if (v * r > this.code) v--;
    else if ((v + 1) * r <= this.code) v++;
    if (v >= total) throw new CorruptStream('the coded stream is corrupt (a value outside every symbol)');
    this.r = r;
    return v;
  }

  /** Removes the symbol [start, start + freq) that target() pointed into. */
  consume(start: number, freq: number): void {
    this.code -= this.r * start;
    this.range = this.r * freq;
    while (this.range < BOTTOM) {
      this.code = this.code * 256 + this.next();
      this.range *= 256;
    }
  }
}

// ---- frequency tables ---------------------------------------------------------------------------------

/** Cumulative frequencies: symbol s has [cum[s], cum[s+1]); cum[V] is the total. Every symbol has ≥ 1. */
export type CumTable = Uint32Array;

export function encodeSymbol(enc: RangeEncoder, cum: CumTable, s: number): void {
  const V = cum.length - 1;
  if (!(s >= 0 && s < V)) throw new Error(`symbol ${s} outside 0…${V - 1}`);
  enc.encode(cum[s], cum[s + 1] - cum[s], cum[V]);
}

export function decodeSymbol(dec: RangeDecoder, cum: CumTable): number {
  const V = cum.length - 1;
  const v = dec.target(cum[V]);
  let lo = 0; // largest s with cum[s] ≤ v
  let hi = V - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (cum[mid] <= v) lo = mid;
    else hi = mid - 1;
  }
  dec.consume(cum[lo], cum[lo + 1] - cum[lo]);
  return lo;
}

/** s uniform over n symbols (n ≤ 2^24). */
export function encodeUniform(enc: RangeEncoder, s: number, n: number): void {
  if (!(s >= 0 && s < n)) throw new Error(`symbol ${s} outside 0…${n - 1}`);
  enc.encode(s, 1, n);
}

export function decodeUniform(dec: RangeDecoder, n: number): number {
  const s = dec.target(n);
  dec.consume(s, 1);
  return s;
}

/** Table from frequencies (each ≥ 1, total ≤ MAX_TOTAL). */
export function cumulative(freqs: ArrayLike<number>): CumTable {
  const cum = new Uint32Array(freqs.length + 1);
  for (let i = 0; i < freqs.length; i++) {
    if (!(Number.isInteger(freqs[i]) && freqs[i] >= 1)) throw new Error(`frequency ${freqs[i]} of symbol ${i} is not a positive integer`);
    cum[i + 1] = cum[i] + freqs[i];
  }
  if (cum[freqs.length] > MAX_TOTAL) throw new Error(`table total ${cum[freqs.length]} is over ${MAX_TOTAL}`);
  return cum;
}

/** The table total the learning codec quantizes to. */
export const MODEL_TOTAL = MAX_TOTAL;

/**
 * A float32 distribution over V symbols (probs[offset…offset+V-1]) as an integer table with the given total:
 * symbol i gets floor(p_i · (total − V)) + 1, and whatever is left goes to the most probable symbol (the
 * first, on ties). A pure function of the float bits (p · (total − V) is exact in float64), so encoder and
 * decoder agree whenever their probabilities do. NaN or negative values count as 0, values above 1 as 1.
 */
export function quantize(probs: Float32Array, offset: number, V: number, total: number = MODEL_TOTAL, out: CumTable = new Uint32Array(V + 1)): CumTable {
  const spare = total - V;
  if (!(V >= 1 && spare >= 0 && total <= MAX_TOTAL)) throw new Error(`cannot quantize ${V} symbols to a total of ${total}`);
  let arg = 0;
  let best = -Infinity;
  let sum = 0;
  out[0] = 0;
  for (let i = 0; i < V; i++) {
    const p = probs[offset + i];
    const q = p > 0 ? (p < 1 ? Math.floor(p * spare) : spare) : 0; // NaN fails p > 0
    out[i + 1] = q + 1; // frequencies for now
    sum += q + 1;
    if (p > best) {
      best = p;
      arg = i;
    }
  }
  if (out[arg + 1] + (total - sum) < 1) {
    // not a distribution (NaN, or sums far above 1): a flat table, still decodable
    for (let i = 0; i < V; i++) out[i + 1] = Math.floor(total / V) + (i < total % V ? 1 : 0);
  } else out[arg + 1] += total - sum;
  for (let i = 0; i < V; i++) out[i + 1] += out[i];
  return out;
}
