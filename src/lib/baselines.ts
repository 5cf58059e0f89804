// The classical codes the learner is measured against, on the same bytes: each source's training split,
// coded by gzip (zlib level 6, CompressionStream) and by the adaptive context model, alone and after the other source (C(Y|X) = C(X+Y) − C(X)
// for gzip; the context model learns X first, free, then codes Y).
import type { Dataset } from './data/batches.ts';
import type { CodeLength } from './metrics/bits.ts';
import { contextCode } from './metrics/ctxmodel.ts';
import { gzipSize } from './metrics/gzip.ts';

export interface Baseline {
  alone: Record<string, CodeLength>; // C(X), C(Y)
  given: Record<string, CodeLength>; // 'Y|X': C(Y|X), 'X|Y': C(X|Y)
}

export interface Baselines {
  gzip: Baseline;
  context: Baseline;
}

/** A source's training split as UTF-8 bytes (for the byte tokenizer, the tokens themselves). */
export function trainBytes(dataset: Dataset, s: number): Uint8Array {
  const src = dataset.sources[s];
  if (dataset.tokenizer.spec.type === 'byte') return Uint8Array.from(src.train);
  return new TextEncoder().encode(dataset.tokenizer.decode(src.train));
}

export async function baselines(dataset: Dataset): Promise<Baselines> {
  const names = dataset.sources.map((s) => s.name).filter((n) => n === 'X' || n === 'Y');
  const data = Object.fromEntries(names.map((n) => [n, trainBytes(dataset, dataset.sources.findIndex((s) => s.name === n))]));
  const code = (bits: number, bytes: Uint8Array): CodeLength => ({ bits, bytes: bytes.length, tokens: bytes.length });
  const out: Baselines = { gzip: { alone: {}, given: {} }, context: { alone: {}, given: {} } };
  for (const n of names) {
    out.gzip.alone[n] = code(8 * (await gzipSize(data[n])), data[n]);
    out.context.alone[n] = code(contextCode(data[n]).bits, data[n]);
  }
  if (data.X && data.Y) {
    for (const [t, o] of [['Y', 'X'], ['X', 'Y']] as const) {
      const both = new Uint8Array(data[o].length + data[t].length);
      both.set(data[o]);
      both.set(data[t], data[o].length);
      out.gzip.given[`${t}|${o}`] = code(8 * (await gzipSize(both)) - out.gzip.alone[o].bits, data[t]);
      out.context.given[`${t}|${o}`] = code(contextCode(data[t], { prime: data[o] }).bits, data[t]);
    }
  }
  return out;
}
