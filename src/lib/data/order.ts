// The bytes of a source in the order its prequential code sends them: what a classical compressor must be
// given so that its size at every point compares with the learner's on exactly the same bytes.
import type { RunConfig } from '../config.ts';
import { PrequentialLedger, StreamPlan, type Dataset } from './batches.ts';

export interface CodingOrder {
  bytes: Uint8Array; // each window's newly sent tokens, as UTF-8, window after window in coding order
  windowEnds: number[]; // bytes sent after each window: windowEnds[k] = the bytes of the first k + 1 windows
}

/** Source `source`'s training split as a run on that source alone codes it: pass 0 of its stream, each window
 *  contributing the tokens it sends for the first time (as PrequentialLedger decides). Runs y, x2y and c2y, and
 *  xy's Y part, send Y's bytes in this order. */
export function codingOrder(dataset: Dataset, source: number, cfg: Pick<RunConfig, 'blockSize' | 'batchSize' | 'passes' | 'steps' | 'seed'>): CodingOrder {
  const T = cfg.blockSize;
  const plan = new StreamPlan(dataset, [source], cfg);
  const ledger = new PrequentialLedger(dataset, [source]);
  const toks = dataset.sources[source].train;
  const bpt = dataset.tokenizer.bytesPerToken;
  const sent = new Int32Array(toks.length);
  const windowEnds: number[] = [];
  const mask = new Float32Array(T);
  let n = 0;
  let bytes = 0;
  for (const w of plan.passOrder(0)) {
    mask.fill(0);
    const first = ledger.claim(w, T, mask, 0);
    if (first.uniformTokens) sent[n++] = toks[w.start];
    for (let j = 1; j <= T; j++) if (mask[j - 1]) sent[n++] = toks[w.start + j];
    bytes += first.bytes;
    windowEnds.push(bytes);
  }
  const order = sent.subarray(0, n);
  const isByte = bpt.every((b) => b === 1) && dataset.tokenizer.vocabSize === 256;
  const out = isByte ? Uint8Array.from(order) : new TextEncoder().encode(dataset.tokenizer.decode(order));
  return { bytes: out, windowEnds };
}
