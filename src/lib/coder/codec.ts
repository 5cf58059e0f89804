// The learning codec behind .kxy files. compress() codes a text with the prequential code of a run that
// learns it as it goes (optionally after learning X first: run x, then x2y); decompress() holds no model:
// it learns the same one while decoding, repeating every training step, so the file carries no weights.
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { UserError, type RunConfig } from '../config.ts';
import { PrequentialLedger, minTokens, trainWindowStarts, type Dataset, type Source } from '../data/batches.ts';
import { makeTokenizer, tokenizerFromSpec, utf8Prefix, type Tokenizer } from '../data/tokenizer.ts';
import { embedModeFor } from '../backend.ts';
import { forward, initWeights, readWeights } from '../model/gpt.ts';
import { GOOD_EVERY, Run, type RunSpec } from '../train/loop.ts';
import { MAX_INPUT_BYTES, crc32, headerBytes, isFileName, readKxy, writeKxy, type KxyHeader } from './format.ts';
import { CorruptStream, MODEL_TOTAL, RangeDecoder, RangeEncoder, decodeSymbol, decodeUniform, encodeSymbol, encodeUniform, quantize } from './range.ts';

/** Where a coded distribution was used: for tests that compare the encoder's and the decoder's bit for bit. */
export interface ProbsAt {
  section: 'prequential' | 'tail';
  step: number; // training step (prequential) or tail batch
  position: number; // token index in the input
}

export interface CodecProgress {
  phase: 'learn X' | 'code' | 'tail';
  done: number; // steps (learn X, code) or batches (tail) finished
  total: number;
}

export interface CodecOptions {
  given?: Uint8Array; // X: code (or decode) given what a model learnt from X first
  onProgress?: (p: CodecProgress) => void;
  onProbs?: (at: ProbsAt, probs: Float32Array) => void; // every model distribution a token is coded with
  name?: string; // compress: the input's file name, recorded for a decoder to offer (left out unless a plain name)
  afterStep?: (run: Run) => void; // test hook: after each training step of the coding run (fault injection)
}

/** One section's code: what it holds and its length three ways. */
export interface SectionStats {
  tokens: number; // tokens coded
  uniformTokens: number; // of which coded uniformly (no context: log2 V bits)
  bits: number; // Σ −log2 p over the model's float32 probabilities, plus log2 V per uniform token
  quantizedBits: number; // the same over the integer tables the range coder used
  forwards: number; // forward passes a decoder runs for this section (the encoder runs one per batch)
  bytes: number; // the section's size in the file
}

export interface CompressResult {
  file: Uint8Array;
  header: KxyHeader;
  headerBytes: number;
  inputBytes: number; // the bytes coded (a prefix of the input when config.maxBytes is set)
  prequential: SectionStats & { runBits: number }; // runBits: the training run's own prequential code (what the page reports)
  tail: SectionStats;
  seconds: { learnX: number; code: number }; // wall time learning X, and coding the input
}

export interface DecompressResult {
  data: Uint8Array;
  header: KxyHeader;
  seconds: { learnX: number; code: number };
}

// ---- backend ------------------------------------------------------------------------------------

/** The backend in use, as a file records it. Only cpu and wasm repeat their arithmetic exactly. */
export async function backendTag(): Promise<KxyHeader['backend']> {
  const name = tf.getBackend();
  if (name !== 'cpu' && name !== 'wasm') {
    throw new UserError(
      `kxy compress runs on cpu or wasm, not ${name}: WebGPU is not deterministic enough for the decoder to repeat the encoder's arithmetic bit for bit`,
    );
  }
  let detail = 'javascript';
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = getThreadsCount();
    // XNNPACK splits work between threads by their number: keep the arithmetic to one order
    if (threads !== 1) throw new UserError(`kxy compress needs single-threaded wasm, and this one runs ${threads} threads`);
    detail = `${simd ? 'simd' : 'no simd'}, 1 thread`;
  }
  return { name, detail, tfjs: tf.version_core };
}

function checkBackend(want: KxyHeader['backend'], have: KxyHeader['backend']): void {
  const show = (b: KxyHeader['backend']) => `${b.name} (${b.detail}, tfjs ${b.tfjs})`;
  if (want.name !== have.name || want.detail !== have.detail || want.tfjs !== have.tfjs) {
    throw new UserError(
      `this file was coded on ${show(want)} and can only be decoded there, because the decoder must repeat the model's arithmetic bit for bit; ` +
        `this is ${show(have)}${want.name !== have.name ? `: use --backend ${want.name}` : ''}`,
    );
  }
}

// ---- data -----------------------------------------------------------------------------------------

/** Bytes back from tokens. */
function detokenize(tokenizer: Tokenizer, tokens: Int32Array): Uint8Array {
  return tokenizer.spec.type === 'byte' ? Uint8Array.from(tokens) : new TextEncoder().encode(tokenizer.decode(tokens));
}

/** What both sides share: the dataset (X first when given, then the coded text as 'Y'), the coded text's
 *  tokens (train then validation, in one array the decoder fills in), and the resolved config. */
interface Setup {
  cfg: Readonly<RunConfig>;
  dataset: Dataset;
  all: Int32Array;
  target: number; // index of the coded source
  nTrain: number;
}

const trimmed = (data: Uint8Array, cfg: Pick<RunConfig, 'maxBytes' | 'tokenizer'>) =>
  cfg.maxBytes > 0 ? (cfg.tokenizer === 'char' ? utf8Prefix(data, cfg.maxBytes) : data.subarray(0, cfg.maxBytes)) : data;

/** The source's split, as buildDataset makes it: the last valFraction held out. */
function splitOf(n: number, cfg: Pick<RunConfig, 'valFraction'>): number {
  return n - Math.floor(n * cfg.valFraction);
}

function setup(cfg: Readonly<RunConfig>, tokenizer: Tokenizer, all: Int32Array, x: Uint8Array | undefined): Setup {
  const sources: Source[] = [];
  if (x) {
    const tx = tokenizer.encode(trimmed(x, cfg), 'X (--given)');
    const need = minTokens(cfg);
    if (tx.length < need) throw new UserError(`X (--given) is too short to learn from: ${tx.length} tokens, and the context of ${cfg.blockSize} needs ${need}`);
    const nx = splitOf(tx.length, cfg);
    sources.push({ name: 'X', train: tx.subarray(0, nx), val: tx.subarray(nx) });
  }
  const nTrain = splitOf(all.length, cfg);
  // named Y as in the experiment: the window order and replay draws are seeded by the source's name
  sources.push({ name: 'Y', train: all.subarray(0, nTrain), val: all.subarray(nTrain) });
  return { cfg, dataset: { tokenizer, sources }, all, target: sources.length - 1, nTrain };
}

/**
 * After a flush: a run that diverged goes back to its last good state with half the learning rate, exactly as
 * training does (loop.ts, train()), or stops when it may not. Encoder and decoder see the same losses, so they
 * roll back at the same step, to the same state, and repeat the same steps: the file stays decodable, and its
 * code is the training run's. The windows coded since the good state are coded again, so the file also holds
 * their first, discarded code (Rollback.discardedBits). Returns whether it rolled back.
 */
function followRollback(run: Run): boolean {
  if (!run.diverged) return false;
  const why = run.diverged.reason;
  if (run.rollBack()) return true;
  const tried = run.rollbacks.length ? ` (after ${run.rollbacks.length} rollbacks down to ${run.lrScale}× the learning rate)` : '';
  throw new UserError(`run ${run.name} diverged while coding${tried}: ${why}; lower the learning rate, e.g. --set lr=${run.cfg.lr / 2}`);
}

/** Keeps a good state to roll back to, at the steps training keeps one (loop.ts, train()). // sync point */
async function keepGood(run: Run): Promise<void> {
  if (run.step === 0 || (run.step - run.goodStep >= GOOD_EVERY && run.step < run.totalSteps)) await run.keepGood();
}

/** Run x to its end on X, then the run that codes Y from x's final weights with a fresh optimizer (x2y);
 *  or, with no X, run y from the shared initial weights. */
async function startCodingRun(s: Setup, onProgress: CodecOptions['onProgress']): Promise<{ run: Run; learnX: number }> {
  const embed = embedModeFor(tf.getBackend());
  const spec = (name: string, source: number, init: RunSpec['init']): RunSpec => ({ name, cfg: s.cfg, dataset: s.dataset, trainSources: [source], evalSources: [], init, embed });
  let init = initWeights(s.cfg, s.cfg.seed);
  let learnX = 0;
  if (s.target > 0) {
    const t0 = performance.now();
    const x = new Run(spec('x', 0, init));
    try {
      await keepGood(x);
      while (x.step < x.totalSteps) {
        x.trainStep();
        if (x.step % s.cfg.logEvery === 0 || x.step === x.totalSteps) {
          await x.flush(); // sync point: keeps queued work and pending tensors bounded
          if (followRollback(x)) continue;
          await keepGood(x);
          onProgress?.({ phase: 'learn X', done: x.step, total: x.totalSteps });
        }
      }
      init = await readWeights(x.params); // sync point
    } finally {
      x.dispose();
    }
    learnX = (performance.now() - t0) / 1000;
  }
  return { run: new Run(spec(s.target > 0 ? 'x2y' : 'y', s.target, init)), learnX };
}

// ---- one batch of windows -------------------------------------------------------------------------

/** A window of the coded source (positions start…start+T) and the positions it codes, ascending. */
interface Row {
  start: number;
  targets: number[];
}

/**
 * The order in which a batch's targets are coded: passes, each coding, for every row in order, the row's next
 * target whose inputs are all known. A decoder can run exactly one forward pass per pass. Windows of a batch
 * may share tokens, so a row can wait for a token another row decodes. Marks the targets known.
 */
export function schedule(rows: Row[], known: Uint8Array): [row: number, position: number][][] {
  const next = rows.map(() => 0);
  const frontier = rows.map((r) => r.start - 1); // [start, frontier] all known
  const passes: [number, number][][] = [];
  let left = rows.reduce((a, r) => a + r.targets.length, 0);
  while (left > 0) {
    const pass: [number, number][] = [];
    rows.forEach((row, r) => {
      if (next[r] === row.targets.length) return;
      const p = row.targets[next[r]];
      while (frontier[r] < p - 1 && known[frontier[r] + 1]) frontier[r]++;
      if (frontier[r] >= p - 1) pass.push([r, p]);
    });
    if (pass.length === 0) throw new Error('codec schedule: no target can be decoded (a bug)');
    for (const [r, p] of pass) {
      known[p] = 1;
      next[r]++;
    }
    left -= pass.length;
    passes.push(pass);
  }
  return passes;
}

/** The model's float32 distribution at some positions of a (rows, T) batch: one eval-mode forward of the whole
 *  batch, softmax on the backend, then only the wanted rows read back. // sync point */
async function probsAt(run: Run, idx: Int32Array, rows: number, wanted: number[]): Promise<Float32Array> {
  const T = run.cfg.blockSize;
  const V = run.cfg.vocabSize;
  const picked = tf.tidy(() => {
    const logits = forward(run.params, run.cfg, tf.tensor2d(idx, [rows, T], 'int32'), { embed: run.embed }); // (rows, T, V)
    const p = tf.reshape(tf.softmax(logits), [rows * T, V]);
    return tf.gather(p, tf.tensor1d(wanted, 'int32')); // (wanted, V): a copy, so it does not change a value
  });
  const out = (await picked.data()) as Float32Array; // sync point
  picked.dispose();
  return out;
}

/** The encoder's or the decoder's half of coding one symbol. */
interface Side {
  uniform(pos: number): void; // all[pos] over V symbols, no context
  model(pos: number, probs: Float32Array, offset: number): void; // all[pos] with a model distribution
}

class Stats {
  tokens = 0;
  uniformTokens = 0;
  bits = 0;
  quantizedBits = 0;
  forwards = 0;
}

/** The encoder side: knows every token, writes symbols. */
class EncodeSide implements Side {
  readonly enc = new RangeEncoder();
  private readonly cum: Uint32Array;

  constructor(
    private readonly all: Int32Array,
    private readonly V: number,
    readonly stats: Stats,
  ) {
    this.cum = new Uint32Array(V + 1);
  }

  uniform(pos: number): void {
    encodeUniform(this.enc, this.all[pos], this.V);
    this.stats.tokens++;
    this.stats.uniformTokens++;
    this.stats.bits += Math.log2(this.V);
    this.stats.quantizedBits += Math.log2(this.V);
  }

  model(pos: number, probs: Float32Array, offset: number): void {
    const s = this.all[pos];
    quantize(probs, offset, this.V, MODEL_TOTAL, this.cum);
    encodeSymbol(this.enc, this.cum, s);
    this.stats.tokens++;
    const q = Math.log2((this.cum[s + 1] - this.cum[s]) / MODEL_TOTAL);
    const p = probs[offset + s];
    this.stats.bits -= p > 0 && p <= 1 ? Math.log2(p) : q; // a diverged model's NaN: what the coder spent (a flat table)
    this.stats.quantizedBits -= q;
  }
}

/** The decoder side: reads symbols, fills in the tokens. */
class DecodeSide implements Side {
  private readonly cum: Uint32Array;

  constructor(
    private readonly all: Int32Array,
    private readonly V: number,
    public dec: RangeDecoder,
  ) {
    this.cum = new Uint32Array(V + 1);
  }

  uniform(pos: number): void {
    this.all[pos] = decodeUniform(this.dec, this.V);
  }

  model(pos: number, probs: Float32Array, offset: number): void {
    quantize(probs, offset, this.V, MODEL_TOTAL, this.cum);
    this.all[pos] = decodeSymbol(this.dec, this.cum);
  }
}

/** Codes one batch's targets (after its uniform tokens) in schedule order. The encoder runs one forward on
 *  the true tokens; the decoder one per pass, with the positions it does not know yet left at 0. The causal
 *  mask keeps those out of every position it reads, and the shapes are the same, so the values are too. */
async function codeBatch(run: Run, s: Setup, rows: Row[], known: Uint8Array, side: Side, at: Omit<ProbsAt, 'position'>, onProbs: CodecOptions['onProbs']): Promise<void> {
  const T = run.cfg.blockSize;
  const V = run.cfg.vocabSize;
  const passes = schedule(rows, known);
  if (passes.length === 0) return;
  const inputs = () => {
    const idx = new Int32Array(rows.length * T);
    rows.forEach((row, r) => idx.set(s.all.subarray(row.start, row.start + T), r * T));
    return idx;
  };
  const flat = ([r, p]: [number, number]) => r * T + (p - rows[r].start - 1); // the output that predicts p
  const use = (pass: [number, number][], probs: Float32Array, first: number) => {
    pass.forEach(([, p], k) => {
      const off = (first + k) * V;
      if (onProbs) onProbs({ ...at, position: p }, probs.subarray(off, off + V));
      side.model(p, probs, off);
    });
  };
  if (side instanceof EncodeSide) {
    side.stats.forwards += passes.length;
    const all = passes.flat();
    const probs = await probsAt(run, inputs(), rows.length, all.map(flat));
    let first = 0;
    for (const pass of passes) {
      use(pass, probs, first);
      first += pass.length;
    }
  } else {
    for (const pass of passes) use(pass, await probsAt(run, inputs(), rows.length, pass.map(flat)), 0);
  }
}

// ---- the two parts of a learned code ---------------------------------------------------------------

/** The prequential part: every step codes its first-pass windows' new tokens, as the run's ledger counts
 *  them, with the weights before the step; then the step trains exactly as training does. */
async function prequentialPart(run: Run, s: Setup, known: Uint8Array, side: Side, opts: CodecOptions): Promise<void> {
  const T = s.cfg.blockSize;
  const mask = new Float32Array(T);
  /** A mirror of the run's own ledger at `step`: which tokens the code has sent follows from the stream order. */
  const ledgerAt = (step: number) => {
    const l = new PrequentialLedger(s.dataset, [s.target]);
    for (let st = 0; st < step; st++) for (const { window, pass } of run.plan.batch(st)) if (pass === 0) l.claim(window, T, mask, 0);
    return l;
  };
  let ledger = ledgerAt(run.step);
  await keepGood(run);
  while (run.step < run.totalSteps) {
    const step = run.step;
    const rows: Row[] = [];
    for (const { window, pass } of run.plan.batch(step)) {
      const row: Row = { start: window.start, targets: [] };
      rows.push(row);
      if (pass !== 0) continue;
      mask.fill(0);
      const c = ledger.claim(window, T, mask, 0);
      if (c.uniformTokens > 0) {
        side.uniform(window.start); // no context: before any of the batch's model-coded tokens
        known[window.start] = 1;
      }
      for (let j = 0; j < T; j++) if (mask[j]) row.targets.push(window.start + 1 + j);
    }
    await codeBatch(run, s, rows, known, side, { section: 'prequential', step }, opts.onProbs);
    run.trainStep();
    opts.afterStep?.(run);
    if (run.step % s.cfg.logEvery === 0 || run.step === run.totalSteps) {
      await run.flush(); // sync point: bounds the queued work
      if (followRollback(run)) {
        ledger = ledgerAt(run.step);
        continue;
      }
      await keepGood(run);
    }
    // every step: a decoder's step is about T forward passes, seconds on wasm
    opts.onProgress?.({ phase: 'code', done: run.step, total: run.totalSteps });
  }
}

/**
 * The tail, coded with the final model: every token the training stream did not send (the validation split,
 * and any windows a fixed step count left out), in windows of T targets over the whole text. The windows are
 * cut into up to B runs of consecutive windows, and each batch takes the next window of every run, so a row's
 * context was decoded by an earlier batch; the first token of each run, when not yet known, goes uniformly.
 */
async function tailPart(run: Run, s: Setup, known: Uint8Array, side: Side, opts: CodecOptions): Promise<void> {
  const T = s.cfg.blockSize;
  const n = s.all.length;
  const windows = trainWindowStarts(n, T).filter((st) => {
    for (let p = st + 1; p <= st + T; p++) if (!known[p]) return true;
    return false;
  });
  if (windows.length === 0) return;
  const size = Math.ceil(windows.length / Math.min(s.cfg.batchSize, windows.length));
  const runs: number[][] = [];
  for (let i = 0; i < windows.length; i += size) runs.push(windows.slice(i, i + size));
  for (const r of runs) {
    if (!known[r[0]]) {
      side.uniform(r[0]);
      known[r[0]] = 1;
    }
  }
  const claimed = new Uint8Array(n); // targets given to a row already (the last window overlaps its neighbour)
  for (let b = 0; b < size; b++) {
    const rows: Row[] = runs
      .filter((r) => b < r.length)
      .map((r) => {
        const start = r[b];
        const targets: number[] = [];
        for (let p = start + 1; p <= start + T; p++) {
          if (known[p] || claimed[p]) continue;
          claimed[p] = 1;
          targets.push(p);
        }
        return { start, targets };
      });
    await codeBatch(run, s, rows, known, side, { section: 'tail', step: b }, opts.onProbs);
    opts.onProgress?.({ phase: 'tail', done: b + 1, total: size });
  }
}

// ---- compress / decompress -------------------------------------------------------------------------

/**
 * Compresses `data` into a .kxy file under `cfg` (vocabSize is set from the tokenizer) on the current tfjs
 * backend (cpu or wasm). Text too short to learn from is stored as it is.
 */
export async function compress(input: Uint8Array, cfgIn: Readonly<RunConfig>, opts: CodecOptions = {}): Promise<CompressResult> {
  const backend = await backendTag();
  const data = trimmed(input, cfgIn);
  for (const [what, d] of [['the input', data], ['X (--given)', opts.given]] as const) {
    if (d && d.length > MAX_INPUT_BYTES) throw new UserError(`${what} is ${d.length} bytes, over the ${MAX_INPUT_BYTES}-byte limit of a .kxy file`);
  }
  const given = opts.given ? { bytes: opts.given.length, crc32: crc32(opts.given) } : null;
  const name = isFileName(opts.name) ? { name: opts.name } : {};
  const base = { ...name, seed: cfgIn.seed, replay: cfgIn.replay, backend, given, input: { bytes: data.length, tokens: data.length, crc32: crc32(data) } };
  const t0 = performance.now();
  const empty: SectionStats = { tokens: 0, uniformTokens: 0, bits: 0, quantizedBits: 0, forwards: 0, bytes: 0 };

  const sources = [...(opts.given ? [{ name: 'X (--given)', data: trimmed(opts.given, cfgIn) }] : []), { name: 'the input', data }];
  let tokenizer: Tokenizer | null = null;
  let tokens: Int32Array | null = null;
  if (data.length > 0) {
    tokenizer = makeTokenizer(cfgIn.tokenizer, sources);
    tokens = tokenizer.encode(data, 'the input');
    const back = detokenize(tokenizer, tokens);
    if (back.length !== data.length || crc32(back) !== base.input.crc32) {
      throw new UserError('the char tokenizer does not give back this input exactly (does it start with a byte-order mark?): use the byte tokenizer');
    }
  }
  if (!tokenizer || !tokens || tokens.length < minTokens(cfgIn)) {
    // too short to learn from: kept as it is
    const header: KxyHeader = { ...base, mode: 'stored', config: { ...cfgIn }, tokenizer: { type: 'byte' }, sections: [{ name: 'stored', bytes: data.length, crc32: crc32(data) }] };
    const file = await writeKxy(header, [data]);
    const stored = { ...empty, tokens: data.length, uniformTokens: data.length, bits: 8 * data.length, quantizedBits: 8 * data.length };
    return { file, header, headerBytes: headerBytes(file), inputBytes: data.length, prequential: { ...empty, runBits: 0 }, tail: { ...stored, bytes: data.length }, seconds: { learnX: 0, code: (performance.now() - t0) / 1000 } };
  }

  const cfg = Object.freeze({ ...cfgIn, vocabSize: tokenizer.vocabSize });
  const s = setup(cfg, tokenizer, tokens, opts.given);
  const { run, learnX } = await startCodingRun(s, opts.onProgress);
  const t1 = performance.now();
  try {
    const known = new Uint8Array(tokens.length);
    const preq = new Stats();
    const side = new EncodeSide(tokens, cfg.vocabSize, preq);
    await prequentialPart(run, s, known, side, opts);
    const preqBytes = side.enc.finish();
    const tail = new Stats();
    const tailSide = new EncodeSide(tokens, cfg.vocabSize, tail);
    await tailPart(run, s, known, tailSide, opts);
    const tailBytes = tailSide.enc.finish();
    if (known.some((k) => !k)) throw new Error('codec: a token was never coded (a bug)');
    await run.flush();
    const header: KxyHeader = {
      ...base,
      mode: 'learned',
      config: { ...cfg },
      tokenizer: tokenizer.spec,
      input: { ...base.input, tokens: tokens.length },
      sections: [
        { name: 'prequential', bytes: preqBytes.length, crc32: crc32(preqBytes) },
        { name: 'tail', bytes: tailBytes.length, crc32: crc32(tailBytes) },
      ],
    };
    const file = await writeKxy(header, [preqBytes, tailBytes]);
    return {
      file,
      header,
      headerBytes: headerBytes(file),
      inputBytes: data.length,
      prequential: { ...preq, bytes: preqBytes.length, runBits: run.prequential.Y.bits },
      tail: { ...tail, bytes: tailBytes.length },
      seconds: { learnX, code: (performance.now() - t1) / 1000 },
    };
  } finally {
    run.dispose();
  }
}

/** Decodes a .kxy file on the backend it was made on, learning the model again as it goes. */
export async function decompress(file: Uint8Array, opts: CodecOptions = {}): Promise<DecompressResult> {
  const { header, sections } = await readKxy(file);
  const g = header.given;
  if (g && !opts.given) throw new UserError(`this file was coded given X (${g.bytes} bytes, CRC-32 ${g.crc32.toString(16).padStart(8, '0')}): give the same X with --given`);
  if (!g && opts.given) throw new UserError('this file was coded without X: leave out --given');
  if (g && opts.given) {
    const c = crc32(opts.given);
    if (opts.given.length !== g.bytes || c !== g.crc32) {
      throw new UserError(
        `the X given (${opts.given.length} bytes, CRC-32 ${c.toString(16).padStart(8, '0')}) is not the X this file was coded with ` +
          `(${g.bytes} bytes, CRC-32 ${g.crc32.toString(16).padStart(8, '0')})`,
      );
    }
  }
  const t0 = performance.now();
  let data: Uint8Array;
  let learnX = 0;
  if (header.mode === 'stored') {
    data = sections.stored!;
  } else {
    checkBackend(header.backend, await backendTag());
    const cfg = Object.freeze({ ...header.config });
    const tokenizer = tokenizerFromSpec(header.tokenizer);
    if (header.input.tokens < minTokens(cfg)) throw new UserError('not a valid .kxy file: too few tokens for a learned code');
    const all = new Int32Array(header.input.tokens);
    const s = setup(cfg, tokenizer, all, opts.given);
    const started = await startCodingRun(s, opts.onProgress);
    const run = started.run;
    learnX = started.learnX;
    try {
      const known = new Uint8Array(all.length);
      const side = new DecodeSide(all, cfg.vocabSize, new RangeDecoder(sections.prequential!));
      await prequentialPart(run, s, known, side, opts);
      side.dec = new RangeDecoder(sections.tail!);
      await tailPart(run, s, known, side, opts);
    } catch (e) {
      if (e instanceof CorruptStream) throw new UserError(`the .kxy file does not decode: ${e.message}`);
      throw e;
    } finally {
      run.dispose();
    }
    data = detokenize(tokenizer, all);
  }
  // nothing leaves before it matches the original's length and CRC
  const c = crc32(data);
  if (data.length !== header.input.bytes || c !== header.input.crc32) {
    throw new UserError(
      `the decoded data fail their check (${data.length} bytes with CRC-32 ${c.toString(16).padStart(8, '0')}, expected ${header.input.bytes} bytes ` +
        `with ${header.input.crc32.toString(16).padStart(8, '0')}): the file is corrupt, or this machine's arithmetic differs from the encoder's`,
    );
  }
  return { data, header, seconds: { learnX, code: (performance.now() - t0) / 1000 - learnX } };
}
