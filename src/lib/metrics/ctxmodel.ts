// The classical baseline: an adaptive context-mixing model of bytes (contexts of orders 0…k, a word context and
// a long-match model, mixed online, as in PAQ-family compressors) and the prequential code length it gives a
// text. Pure TypeScript, no tfjs; deterministic on every JS engine (no Math.exp or Math.log inside the model).
// Cost: about 4–5 s per MB in Node on one core; memory grows with the bytes seen, to about 90 MB from 64 kB on.

// ---- numerics: exp and ln from IEEE basic operations only, so every engine builds the same tables ----------

const LN2 = 0.6931471805599453;

function exp(x: number): number {
  const k = Math.round(x / LN2);
  const r = x - k * LN2; // |r| ≤ ln2 / 2
  let term = 1;
  let sum = 1;
  for (let i = 1; i < 24; i++) {
    term = (term * r) / i;
    sum += term;
  }
  for (let i = 0; i < k; i++) sum *= 2;
  for (let i = 0; i > k; i--) sum /= 2;
  return sum;
}

function ln(x: number): number {
  let e = 0;
  while (x > 1.5) (x /= 2), e++;
  while (x < 0.75) (x *= 2), e--;
  const u = (x - 1) / (x + 1); // |u| ≤ 0.2: ln x = 2 atanh u
  const u2 = u * u;
  let term = u;
  let sum = 0;
  for (let i = 1; i < 40; i += 2) {
    sum += term / i;
    term *= u2;
  }
  return 2 * sum + e * LN2;
}

/** logit((i + ½) / 4096): stretch(p) = STRETCH[p × 4096 | 0], in nats of log-odds. */
const STRETCH = new Float64Array(4096);
for (let i = 0; i < 4096; i++) STRETCH[i] = ln((i + 0.5) / (4095.5 - i));

const SQ_RANGE = 16; // log-odds are clamped to ±16: probabilities within 1e-7 of 0 or 1
const SQ_STEP = 32; // table points per unit of log-odds, linearly interpolated
const SQUASH = new Float64Array(2 * SQ_RANGE * SQ_STEP + 2);
for (let i = 0; i < SQUASH.length; i++) SQUASH[i] = 1 / (1 + exp(SQ_RANGE - i / SQ_STEP));

/** The logistic function 1 / (1 + e^−x), from the table. */
function squash(x: number): number {
  if (x > SQ_RANGE - 1e-9) x = SQ_RANGE - 1e-9;
  else if (x < -SQ_RANGE) x = -SQ_RANGE;
  const t = (x + SQ_RANGE) * SQ_STEP;
  const i = t | 0;
  return SQUASH[i] + (SQUASH[i + 1] - SQUASH[i]) * (t - i);
}

const stretch = (p: number): number => STRETCH[(p * 4096) | 0];

function hash2(a: number, b: number): number {
  let h = Math.imul(a ^ Math.imul(b, 0x2c1b3c6d), 0x297a2d39) ^ Math.imul(b + 0x632be5ab, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

// ---- the model ---------------------------------------------------------------------------------------------

// Each context's statistics for one nibble live in a 64-byte bucket of 16 slots: slot 0 is a checksum tag, slots
// 1…15 one per partial nibble (1, then 2–3 after one bit, …). A slot packs a 16-bit probability that the next
// bit is 1 (bits 16–31), its update count n (6–15: the adaptation rate is 1/(n + 1.6)), and a bit history
// (0–5: recent counts of zeros and ones, 0…7 each, the opposite count discounted on each bit), which a learnt
// map per context turns into a second probability.
const FRESH = 0x8000 << 16;
const RATE = new Int32Array(1024); // 1/(n + 1.6) in 16-bit fixed point, for the slots
const RECIP = new Float64Array(1024); // the same in float, for the learnt maps
for (let n = 0; n < 1024; n++) {
  RECIP[n] = 1 / (n + 1.6);
  RATE[n] = Math.round(65536 * RECIP[n]);
}
/** next history after a bit: [history × 2 + bit] */
const NEXT = new Uint8Array(128);
for (let s = 0; s < 64; s++) {
  for (let bit = 0; bit < 2; bit++) {
    let n0 = s & 7;
    let n1 = s >> 3;
    if (bit) {
      if (n1 < 7) n1++;
      if (n0 > 2) n0 = ((n0 - 2) >> 1) + 2;
    } else {
      if (n0 < 7) n0++;
      if (n1 > 2) n1 = ((n1 - 2) >> 1) + 2;
    }
    NEXT[s * 2 + bit] = n0 | (n1 << 3);
  }
}

const WORD_ORDER = 100; // labels for hashing the word contexts apart from the order-n ones
const MATCH_MIN = 6; // a repeat is looked up by the hash of the last 6 bytes
const MATCH_BUCKETS = 16; // quantized match lengths
const MATCH_BITS_MIN = 12; // the match table grows to one entry per byte seen, up to 2^22 (16 MiB)
const MATCH_BITS_MAX = 22;
const TABLE_BITS_MIN = 16; // buckets grow to 8 per byte seen: 2^16 (4 MiB) … 2^20 (64 MiB, from 64 KiB seen)
const TABLE_BITS_MAX = 20;
const GROW_SHIFT = 3;
const APM_RANGE = 8; // SSE buckets every ½ unit of log-odds over ±8
const APM_N = 4 * APM_RANGE + 1;
const SSE_RATE = 0.02;
const MIX_LR_START = 0.02; // mixer learning rate, decaying to MIX_LR_MIN over the first ~6 kB
const MIX_LR_MIN = 0.002;
const MIX_LR_DECAY = 0.99995;

export interface ContextModelOptions {
  order?: number; // the longest byte context (default 6; see contextOrders). The word and match models are always on
}

/** Orders of byte contexts used for a maximum order k: 0…min(k, 4), then 6 and k. */
export function contextOrders(k: number): number[] {
  if (!(Number.isInteger(k) && k >= 0 && k <= 16)) throw new Error(`order must be an integer in 0…16 (got ${k})`);
  const orders = [0, 1, 2, 3, 4].filter((o) => o <= k);
  if (k >= 6) orders.push(6);
  if (k > 4 && k !== 6) orders.push(k);
  return orders;
}

/**
 * A streaming bit predictor: call p1() for the probability that the next bit (most significant first) is 1,
 * then update(bit). An arithmetic coder drives it the same way as contextCode below.
 */
export class ContextModel {
  private readonly orders: number[];
  private readonly nOrders: number;
  private readonly nCtx: number; // byte-order contexts + 2 word contexts
  private readonly nIn: number;
  private hist: Uint8Array; // every byte seen so far
  private pos = 0;
  private c0 = 1; // the partial byte with a leading 1
  private c1 = 0; // the last whole byte
  private bitPos = 0; // bits of the current byte seen (0…7)
  // hashed statistics
  private table: Uint32Array;
  private tableBits = 0; // log2 of the number of buckets
  private readonly ctxHash: Int32Array; // per context, hash at the current byte boundary
  private readonly bucket: Int32Array; // per context, base index of the current nibble's bucket
  private readonly slot: Int32Array; // per context, index of the slot predicting this bit
  private readonly sm: Float64Array; // per context, history → probability (learnt)
  private readonly smN: Uint16Array;
  // word contexts: hashes of the current (case-folded) word and the one before
  private word0 = 0;
  private word1 = 0;
  // match model
  private matchTable: Int32Array; // hash of 6 bytes → the position after their last occurrence
  private matchBits = 0;
  private matchPtr = 0;
  private matchLen = 0;
  private matchByte = -1; // the predicted byte while it still agrees with the bits seen, else −1
  private readonly matchSm = new Float64Array(MATCH_BUCKETS * 2);
  private readonly matchSmN = new Uint16Array(MATCH_BUCKETS * 2);
  private matchSmIdx = -1;
  // mixer
  private readonly x: Float64Array;
  private readonly w: Float64Array;
  private readonly wBase = new Int32Array(3); // each mixer's weights for this bit
  private readonly pMix = new Float64Array(3); // each mixer's prediction
  private mixLr = MIX_LR_START;
  // two SSE stages, on the partial byte and on it with the previous byte
  private readonly apm1 = new Float64Array(256 * APM_N);
  private readonly apm2 = new Float32Array(65536 * APM_N);
  private apm1Idx = 0;
  private apm2Idx = 0;
  private apmW = 0;

  constructor(opts: ContextModelOptions = {}) {
    this.orders = contextOrders(opts.order ?? 6);
    this.nOrders = this.orders.length;
    this.nCtx = this.nOrders + 2;
    this.nIn = 2 * this.nCtx + 2;
    this.hist = new Uint8Array(1 << 16);
    this.table = this.emptyTable(TABLE_BITS_MIN);
    this.ctxHash = new Int32Array(this.nCtx);
    this.bucket = new Int32Array(this.nCtx);
    this.slot = new Int32Array(this.nCtx);
    this.sm = new Float64Array(this.nCtx * 64);
    this.smN = new Uint16Array(this.nCtx * 64);
    for (let i = 0; i < this.nCtx; i++)
      for (let s = 0; s < 64; s++) this.sm[i * 64 + s] = ((s >> 3) + 0.4) / ((s & 7) + (s >> 3) + 0.8);
    this.matchBits = MATCH_BITS_MIN;
    this.matchTable = new Int32Array(1 << MATCH_BITS_MIN);
    for (let i = 0; i < this.matchSm.length; i++) this.matchSm[i] = 0.5;
    this.x = new Float64Array(this.nIn);
    this.w = new Float64Array(this.nIn * 1280).fill(0.3); // 768 + 256 + 256 weight sets
    for (let c = 0; c < 256; c++)
      for (let j = 0; j < APM_N; j++) this.apm1[c * APM_N + j] = squash(j / 2 - APM_RANGE);
    this.apm2.set(this.apm1.subarray(0, APM_N));
    for (let n = APM_N; n < this.apm2.length; n *= 2) this.apm2.copyWithin(n, 0, n); // every row the same
    this.startByte();
  }

  /** Probability (0…1, exclusive) that the next bit is 1. */
  p1(): number {
    const { x, table, slot, sm, nCtx, nOrders } = this;
    let k = 0;
    let seen = 0; // how many contexts of order ≥ 1 have been seen before: roughly the longest known order
    for (let i = 0; i < nCtx; i++) {
      const s = table[slot[i]];
      x[k++] = STRETCH[s >>> 20];
      x[k++] = stretch(sm[i * 64 + (s & 63)]);
      if (i > 0 && i < nOrders && s & 0xffc0) seen++;
    }
    // match model: the next bit of the byte that followed the last occurrence of the current context
    let mq = 0;
    if (this.matchByte >= 0) {
      const expectBit = (this.matchByte >> (7 - this.bitPos)) & 1;
      const len = this.matchLen;
      const lq = len < 12 ? len : Math.min(MATCH_BUCKETS - 1, 12 + ((len - 12) >> 4));
      this.matchSmIdx = lq * 2 + expectBit;
      x[k++] = stretch(this.matchSm[this.matchSmIdx]);
      x[k++] = expectBit ? 1 : -1;
      mq = len < 16 ? 1 : 2;
    } else {
      this.matchSmIdx = -1;
      x[k++] = 0;
      x[k++] = 0;
    }
    // three mixers, their weights chosen by (partial byte, match), by the last byte, and by (bit position,
    // orders seen, match length); their log-odds are averaged
    const { nIn, w, wBase, pMix } = this;
    wBase[0] = (mq * 256 + this.c0) * nIn;
    wBase[1] = (768 + this.c1) * nIn;
    wBase[2] = (1024 + (((this.bitPos << 3) | seen) << 2) + Math.min(3, (this.matchLen + 7) >> 3)) * nIn;
    const b0 = wBase[0];
    const b1 = wBase[1];
    const b2 = wBase[2];
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    for (let i = 0; i < nIn; i++) {
      const xi = x[i];
      d0 += w[b0 + i] * xi;
      d1 += w[b1 + i] * xi;
      d2 += w[b2 + i] * xi;
    }
    pMix[0] = squash(d0);
    pMix[1] = squash(d1);
    pMix[2] = squash(d2);
    let dot = d0 + d1 + d2;
    dot /= 3;
    // SSE on the partial byte, and on it with the last byte: interpolate between the two nearest of 33
    // buckets over log-odds −8…8
    let t = (dot + APM_RANGE) * 2;
    if (t < 0) t = 0;
    else if (t > APM_N - 1.001) t = APM_N - 1.001;
    const j = t | 0;
    const a = t - j;
    this.apmW = a;
    const i1 = this.c0 * APM_N + j;
    const i2 = ((this.c1 << 8) | this.c0) * APM_N + j;
    this.apm1Idx = i1;
    this.apm2Idx = i2;
    const p1 = this.apm1[i1] * (1 - a) + this.apm1[i1 + 1] * a;
    const p2 = this.apm2[i2] * (1 - a) + this.apm2[i2 + 1] * a;
    let p = (squash(dot) + p1 + p2) / 3;
    if (p < 1 / 65536) p = 1 / 65536;
    else if (p > 65535 / 65536) p = 65535 / 65536;
    return p;
  }

  /** Learns from the bit just coded (p1() must have been called for it). */
  update(bit: number): void {
    const { x, w, table, slot, sm, smN, nCtx, nIn, wBase, pMix } = this;
    // mixers: one step of online logistic regression each, on its own prediction's error
    const lr = this.mixLr;
    const b0 = wBase[0];
    const b1 = wBase[1];
    const b2 = wBase[2];
    const e0 = lr * (bit - pMix[0]);
    const e1 = lr * (bit - pMix[1]);
    const e2 = lr * (bit - pMix[2]);
    for (let i = 0; i < nIn; i++) {
      const xi = x[i];
      w[b0 + i] += e0 * xi;
      w[b1 + i] += e1 * xi;
      w[b2 + i] += e2 * xi;
    }
    if (lr > MIX_LR_MIN) this.mixLr = lr * MIX_LR_DECAY;
    // SSE
    const a = this.apmW;
    const r = SSE_RATE;
    this.apm1[this.apm1Idx] += (bit - this.apm1[this.apm1Idx]) * r * (1 - a);
    this.apm1[this.apm1Idx + 1] += (bit - this.apm1[this.apm1Idx + 1]) * r * a;
    this.apm2[this.apm2Idx] += (bit - this.apm2[this.apm2Idx]) * r * (1 - a);
    this.apm2[this.apm2Idx + 1] += (bit - this.apm2[this.apm2Idx + 1]) * r * a;
    // contexts: slot counters, histories and the history → probability maps
    for (let i = 0; i < nCtx; i++) {
      const si = slot[i];
      const s = table[si];
      let p = s >>> 16;
      let n = (s >>> 6) & 1023;
      const h = s & 63;
      if (bit) p += ((65536 - p) * RATE[n]) >>> 16;
      else p -= (p * RATE[n]) >>> 16;
      if (n < 1023) n++;
      table[si] = (p << 16) | (n << 6) | NEXT[h * 2 + bit];
      const mi = i * 64 + h;
      const mn = smN[mi];
      sm[mi] += (bit - sm[mi]) * RECIP[mn];
      if (mn < 1023) smN[mi] = mn + 1;
    }
    if (this.matchSmIdx >= 0) {
      const mi = this.matchSmIdx;
      const mn = this.matchSmN[mi];
      this.matchSm[mi] += (bit - this.matchSm[mi]) * RECIP[mn];
      if (mn < 1023) this.matchSmN[mi] = mn + 1;
      if (((this.matchByte >> (7 - this.bitPos)) & 1) !== bit) this.matchByte = -1;
    }
    // advance
    this.c0 = (this.c0 << 1) | bit;
    this.bitPos++;
    if (this.bitPos === 8) {
      this.endByte(this.c0 & 255);
      this.startByte();
    } else {
      const nib = this.bitPos < 4 ? this.c0 : this.c0 & ((1 << (this.bitPos - 4)) - 1) | (1 << (this.bitPos - 4));
      if (this.bitPos === 4) for (let i = 0; i < nCtx; i++) this.bucket[i] = this.find(hash2(this.ctxHash[i], this.c0));
      for (let i = 0; i < nCtx; i++) slot[i] = this.bucket[i] + nib;
    }
  }

  /** Charges nothing: learns a byte as if it had been coded (used to prime on X). */
  learnByte(c: number): void {
    for (let j = 7; j >= 0; j--) {
      this.p1();
      this.update((c >> j) & 1);
    }
  }

  private endByte(c: number): void {
    if (this.pos >= this.hist.length) {
      const grown = new Uint8Array(Math.min(2 * this.hist.length + 1, 2 ** 31 - 1));
      grown.set(this.hist);
      this.hist = grown;
    }
    const hist = this.hist;
    hist[this.pos++] = c;
    this.c1 = c;
    const pos = this.pos;
    // words: letters, case folded; anything else ends a word
    const lc = c >= 65 && c <= 90 ? c + 32 : c;
    if ((lc >= 97 && lc <= 122) || c >= 128) this.word0 = hash2(this.word0 + lc, WORD_ORDER);
    else if (this.word0 !== 0) {
      this.word1 = this.word0;
      this.word0 = 0;
    }
    // match model: extend the current match, or look the last MATCH_MIN bytes up
    if (this.matchLen > 0 && hist[this.matchPtr] === c) {
      this.matchPtr++;
      if (this.matchLen < 65535) this.matchLen++;
    } else this.matchLen = 0;
    if (pos >= MATCH_MIN) {
      const h = this.matchHash(pos);
      if (this.matchLen === 0) {
        const cand = this.matchTable[h];
        if (cand > 0) {
          let len = 0;
          while (len < 400 && cand - len - 1 >= 0 && hist[cand - len - 1] === hist[pos - len - 1]) len++;
          if (len >= MATCH_MIN) {
            this.matchLen = len;
            this.matchPtr = cand;
          }
        }
      }
      this.matchTable[h] = pos;
    }
  }

  /** Index in matchTable of the MATCH_MIN bytes before position pos. */
  private matchHash(pos: number): number {
    const hist = this.hist;
    let h = 0;
    for (let j = 1; j <= MATCH_MIN; j++) h = Math.imul(h + hist[pos - j] + 1, 0x2f0b4ab3);
    return (h ^ (h >>> 15)) & ((1 << this.matchBits) - 1);
  }

  private startByte(): void {
    const { orders, ctxHash, pos } = this;
    // the tables grow with the bytes seen (never with bytes to come), so a prefix is coded alike whatever follows
    if (pos >= (1 << this.tableBits) >> GROW_SHIFT && this.tableBits < TABLE_BITS_MAX) this.growTable();
    if (pos >= 1 << this.matchBits && this.matchBits < MATCH_BITS_MAX) {
      this.matchBits++;
      this.matchTable = new Int32Array(1 << this.matchBits);
      for (let p = MATCH_MIN; p <= pos; p++) this.matchTable[this.matchHash(p)] = p;
    }
    const hist = this.hist;
    this.c0 = 1;
    this.bitPos = 0;
    this.matchByte = this.matchLen > 0 ? hist[this.matchPtr] : -1;
    // order-n contexts: hash of the last n bytes, built up one byte at a time
    let h = 0;
    let o = 0;
    for (let i = 0; i < orders.length; i++) {
      while (o < orders[i]) {
        o++;
        h = hash2(h, (pos - o >= 0 ? hist[pos - o] : 0) + 256 * o);
      }
      ctxHash[i] = hash2(h, o);
    }
    const n = orders.length;
    ctxHash[n] = hash2(this.word0, WORD_ORDER + 1);
    ctxHash[n + 1] = hash2(this.word0 ^ Math.imul(this.word1, 0x3c6ef372), WORD_ORDER + 2);
    for (let i = 0; i < this.nCtx; i++) {
      this.bucket[i] = this.find(ctxHash[i]);
      this.slot[i] = this.bucket[i] + 1;
    }
  }

  private emptyTable(bits: number): Uint32Array {
    this.tableBits = bits;
    const table = new Uint32Array(16 << bits);
    for (let i = 0; i < table.length; i++) table[i] = i & 15 ? FRESH : 0;
    return table;
  }

  /** Doubles the buckets and moves every used one to its place in the larger table. */
  private growTable(): void {
    const old = this.table;
    this.table = this.emptyTable(this.tableBits + 1);
    for (let b = 0; b < old.length; b += 16) {
      if (old[b] === 0) continue;
      const to = this.claim(old[b]);
      for (let i = 1; i < 16; i++) this.table[to + i] = old[b + i];
    }
  }

  /** The bucket for a context hash: found by its tag (the hash itself) among 3 neighbours, else claimed. */
  private find(h: number): number {
    const table = this.table;
    const tag = h >>> 0 || 1; // 0 marks an empty bucket
    const b0 = tag & ((1 << this.tableBits) - 1);
    for (let k = 0; k < 3; k++) {
      const b = (b0 ^ k) << 4;
      if (table[b] === tag) return b;
    }
    const b = this.claim(tag);
    for (let i = 1; i < 16; i++) table[b + i] = FRESH;
    return b;
  }

  /** Takes over the least used of a tag's 3 buckets (an empty one first) and tags it; slots are left as they were. */
  private claim(tag: number): number {
    const table = this.table;
    const b0 = tag & ((1 << this.tableBits) - 1);
    let best = -1;
    let bestPri = 1 << 30;
    for (let k = 0; k < 3; k++) {
      const b = (b0 ^ k) << 4;
      const pri = table[b] === 0 ? -1 : (table[b + 1] >>> 6) & 1023; // visits of the nibble's first slot
      if (pri < bestPri) {
        bestPri = pri;
        best = b;
      }
    }
    table[best] = tag;
    return best;
  }
}

export interface ContextCode {
  bits: number; // the code length of data, in bits
  bytes: number; // bytes coded (data.length)
  curve: { bytes: number[]; bits: number[] }; // cumulative bits after every `every` bytes, and at the end
}

export interface ContextCodeOptions {
  order?: number; // longest byte context (default 6)
  prime?: Uint8Array; // X: learnt first, without charge, so the result is C(data | X)
  every?: number; // curve spacing in bytes (default 4096)
}

/**
 * The prequential code length of `data` under the adaptive context model: each bit costs −log2 of the
 * probability the model gave it before learning from it. With `prime` = X, the model first learns X exactly as
 * if it had coded it, so bits = C(data | X) and C(X) + C(data | X) = C(X then data).
 */
export function contextCode(data: Uint8Array, opts: ContextCodeOptions = {}): ContextCode {
  const prime = opts.prime ?? new Uint8Array(0);
  const every = opts.every ?? 4096;
  contextOrders(opts.order ?? 6); // validates
  if (!(Number.isInteger(every) && every >= 1)) throw new Error(`every must be a positive integer (got ${every})`);
  const curve = { bytes: [] as number[], bits: [] as number[] };
  if (data.length === 0) {
    curve.bytes.push(0);
    curve.bits.push(0);
    return { bits: 0, bytes: 0, curve };
  }
  const m = new ContextModel({ order: opts.order });
  for (let i = 0; i < prime.length; i++) m.learnByte(prime[i]);
  let bits = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i];
    for (let j = 7; j >= 0; j--) {
      const bit = (c >> j) & 1;
      const p = m.p1();
      bits -= Math.log2(bit ? p : 1 - p);
      m.update(bit);
    }
    if ((i + 1) % every === 0 || i + 1 === data.length) {
      curve.bytes.push(i + 1);
      curve.bits.push(bits);
    }
  }
  return { bits, bytes: data.length, curve };
}
