// Data: each source's train/validation split, the training stream (windows visited in one seeded order),
// the fixed validation windows, and the bookkeeping that makes the prequential code decodable.
import { UserError, type RunConfig } from '../config.ts';
import { Rng, deriveSeed } from '../rng.ts';
import { makeTokenizer, utf8Prefix, type Tokenizer } from './tokenizer.ts';

export interface RawSource {
  name: string; // 'X', 'Y', …: how the source is labelled everywhere
  data: Uint8Array;
}

export interface Source {
  name: string;
  train: Int32Array; // the first (1 - valFraction) of the tokens
  val: Int32Array; // the last valFraction: never trained on
}

export interface Dataset {
  tokenizer: Tokenizer;
  sources: Source[];
}

/** A window of T + 1 tokens of one source's training split: inputs start…start+T-1, targets start+1…start+T. */
export interface WindowRef {
  source: number; // index into Dataset.sources
  start: number;
}

/** The fewest tokens a source needs: T + 1 to train on, and T + 1 held out for validation. */
export function minTokens(cfg: Pick<RunConfig, 'blockSize' | 'valFraction'>): number {
  let n = 2 * (cfg.blockSize + 1);
  while (Math.floor(n * cfg.valFraction) < cfg.blockSize + 1 || n - Math.floor(n * cfg.valFraction) < cfg.blockSize + 1) n++;
  return n;
}

/** Why a source is too short, in the one wording the CLI and the page share: the least length, and where it
 *  comes from (one window of context + 1 tokens to train on, one in the held-out split). */
export function tooShortMessage(name: string, tokens: number, cfg: Pick<RunConfig, 'blockSize' | 'valFraction'>): string {
  const need = minTokens(cfg);
  const w = cfg.blockSize + 1;
  const pct = Math.round(cfg.valFraction * 100);
  return (
    `${name} is too short: ${tokens} tokens, but the context of ${cfg.blockSize} needs at least ${need}: ` +
    `a window of ${w} tokens (the context + 1) to train on, and one of ${w} in the held-out ${pct}% (${pct}% of ${need} is ${Math.floor(need * cfg.valFraction)})`
  );
}

/** Tokenizes and splits every source with one shared tokenizer. Throws UserError on unusable input. */
export function buildDataset(raw: RawSource[], cfg: Pick<RunConfig, 'tokenizer' | 'maxBytes' | 'blockSize' | 'valFraction'>, fixed?: Tokenizer): Dataset {
  if (raw.length === 0) throw new UserError('no data: give at least one source');
  const trimmed = raw.map((s) => {
    if (s.data.length === 0) throw new UserError(`${s.name} is empty`);
    // a char tokenizer needs whole characters, so cut back to a character boundary
    const data = cfg.maxBytes > 0 ? (cfg.tokenizer === 'char' ? utf8Prefix(s.data, cfg.maxBytes) : s.data.subarray(0, cfg.maxBytes)) : s.data;
    return { name: s.name, data };
  });
  const tokenizer = fixed ?? makeTokenizer(cfg.tokenizer, trimmed);
  const need = minTokens(cfg);
  const sources = trimmed.map(({ name, data }) => {
    const tokens = tokenizer.encode(data, name);
    if (tokens.length < need) throw new UserError(tooShortMessage(name, tokens.length, cfg));
    const nVal = Math.floor(tokens.length * cfg.valFraction);
    return { name, train: tokens.subarray(0, tokens.length - nVal), val: tokens.subarray(tokens.length - nVal) };
  });
  return { tokenizer, sources };
}

/** Window starts that make every training token a target exactly once (the first token is only context).
 *  Consecutive windows share one token; a last window, aligned to the end, overlaps its neighbour. */
export function trainWindowStarts(n: number, T: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + T <= n - 1; s += T) starts.push(s);
  if ((n - 1) % T !== 0) starts.push(n - 1 - T);
  return starts;
}

/** Fixed, non-overlapping validation windows (targets never repeat), evenly spread if there are more than `max`. */
export function evalWindowStarts(n: number, T: number, max: number): number[] {
  const all = Math.floor((n - 1) / T);
  const k = Math.min(all, max);
  return Array.from({ length: k }, (_, i) => Math.floor((i * all) / k) * T);
}

/** Inputs and targets of a list of windows, row-major (rows, T). */
export function gatherWindows(dataset: Dataset, windows: WindowRef[], T: number, split: 'train' | 'val' = 'train'): { idx: Int32Array; tgt: Int32Array } {
  const idx = new Int32Array(windows.length * T);
  const tgt = new Int32Array(windows.length * T);
  windows.forEach((w, r) => {
    const toks = dataset.sources[w.source][split];
    idx.set(toks.subarray(w.start, w.start + T), r * T);
    tgt.set(toks.subarray(w.start + 1, w.start + T + 1), r * T);
  });
  return { idx, tgt };
}

/** The seeded order in which a run visits its training windows: pass after pass, each pass a fresh order.
 *  With several sources, each source's windows keep the order they have in its own run, and the sources are
 *  interleaved uniformly at random: so xy sees Y in the same order as y does. */
export class StreamPlan {
  readonly windowsPerPass: number;
  readonly totalSteps: number;
  private readonly starts: Map<number, number[]>;
  private readonly cache = new Map<number, WindowRef[]>();

  constructor(
    private readonly dataset: Dataset,
    readonly trainSources: number[],
    private readonly cfg: Pick<RunConfig, 'blockSize' | 'batchSize' | 'passes' | 'steps' | 'seed'>,
  ) {
    this.starts = new Map(trainSources.map((s) => [s, trainWindowStarts(dataset.sources[s].train.length, cfg.blockSize)]));
    this.windowsPerPass = [...this.starts.values()].reduce((a, s) => a + s.length, 0);
    this.totalSteps = cfg.steps > 0 ? cfg.steps : Math.ceil((cfg.passes * this.windowsPerPass) / cfg.batchSize);
  }

  /** The stream's name, e.g. 'Y' or 'X+Y': seeds that must agree between runs on the same stream (y and
   *  x2y) derive from it, never from the run's name. */
  get key(): string {
    return this.trainSources.map((s) => this.dataset.sources[s].name).join('+');
  }

  /** Windows the code has already sent before step `step` (pass 0 only): positions 0…n-1 of pass 0's order. */
  codedBefore(step: number): number {
    return Math.min(step * this.cfg.batchSize, this.windowsPerPass);
  }

  /** Replay: `count` windows drawn uniformly, with a generator seeded by the stream and the step, from the
   *  windows coded before this step. The decoder has those windows too and draws the same ones, so training
   *  on them keeps the code decodable; they are never scored. None at step 0 (nothing is coded yet). */
  replay(step: number, count: number): WindowRef[] {
    const n = this.codedBefore(step);
    if (n === 0 || count <= 0) return [];
    const rng = new Rng(deriveSeed(this.cfg.seed, `replay:${this.key}:${step}`));
    const order = this.passOrder(0);
    return Array.from({ length: count }, () => order[rng.int(n)]);
  }

  /** The windows of one step, each with the pass it belongs to (the prequential code counts pass 0 only). */
  batch(step: number): { window: WindowRef; pass: number }[] {
    const B = this.cfg.batchSize;
    const end = this.cfg.steps > 0 ? (step + 1) * B : Math.min((step + 1) * B, this.cfg.passes * this.windowsPerPass);
    const out: { window: WindowRef; pass: number }[] = [];
    for (let pos = step * B; pos < end; pos++) {
      const pass = Math.floor(pos / this.windowsPerPass);
      out.push({ window: this.passOrder(pass)[pos % this.windowsPerPass], pass });
    }
    return out;
  }

  passOrder(pass: number): WindowRef[] {
    let order = this.cache.get(pass);
    if (order) return order;
    const perSource = this.trainSources.map((s) => {
      const name = this.dataset.sources[s].name;
      const starts = new Rng(deriveSeed(this.cfg.seed, `order:${name}:${pass}`)).shuffle([...this.starts.get(s)!]);
      return starts.map((start) => ({ source: s, start }));
    });
    order = [];
    const rng = new Rng(deriveSeed(this.cfg.seed, `merge:${pass}`));
    const next = perSource.map(() => 0);
    let left = this.windowsPerPass;
    while (left > 0) {
      // pick a source with probability proportional to the windows it has left: a uniform interleaving
      let r = rng.int(left);
      let i = 0;
      while (r >= perSource[i].length - next[i]) r -= perSource[i].length - next[i++];
      order.push(perSource[i][next[i]++]);
      left--;
    }
    // keep pass 0 (replay draws from it) and the latest two
    if (this.cache.size > 3) this.cache.delete(Math.min(...[...this.cache.keys()].filter((k) => k > 0)));
    this.cache.set(pass, order);
    return order;
  }
}

/** Which tokens the prequential code has already sent. A window's targets are scored unless already sent;
 *  its first token, if not yet sent, costs log2 V bits (there is no context to predict it from). */
export class PrequentialLedger {
  private readonly known: Map<number, Uint8Array>;

  constructor(
    private readonly dataset: Dataset,
    trainSources: number[],
  ) {
    this.known = new Map(trainSources.map((s) => [s, new Uint8Array(dataset.sources[s].train.length)]));
  }

  /** Marks a window as sent. Returns which of its T targets to score, how many tokens go uncontexted, and the bytes sent. */
  claim(w: WindowRef, T: number, mask: Float32Array, maskOffset: number): { uniformTokens: number; tokens: number; bytes: number } {
    const known = this.known.get(w.source)!;
    const toks = this.dataset.sources[w.source].train;
    const bpt = this.dataset.tokenizer.bytesPerToken;
    let uniformTokens = 0;
    let tokens = 0;
    let bytes = 0;
    if (!known[w.start]) {
      known[w.start] = 1;
      uniformTokens = 1;
      tokens++;
      bytes += bpt[toks[w.start]];
    }
    for (let j = 1; j <= T; j++) {
      const pos = w.start + j;
      if (known[pos]) continue;
      known[pos] = 1;
      mask[maskOffset + j - 1] = 1;
      tokens++;
      bytes += bpt[toks[pos]];
    }
    return { uniformTokens, tokens, bytes };
  }
}
