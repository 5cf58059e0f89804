// The classical codes the page draws beside the learner's: gzip and the adaptive context model, each on a
// source's training bytes in the order the runs' prequential code sends them, at ~40 points along the way.
import { contextCode } from '../lib/metrics/ctxmodel.ts';
import { gzipSize } from '../lib/metrics/gzip.ts';
import type { BaselineCurve } from './protocol.ts';

export const BASELINE_POINTS = 40;

export interface BaselineJob {
  source: string;
  bytes: Uint8Array; // the source's training bytes in coding order
  prime: Uint8Array | null; // the other source, learnt first by the context model: its C(source | other)
}

/** gzip's size and the context model's code of every prefix that ends at a multiple of len/40 (and the end). */
export async function baselineCurve(job: BaselineJob, withContext = true): Promise<BaselineCurve> {
  const n = job.bytes.length;
  const every = Math.max(1, Math.ceil(n / BASELINE_POINTS));
  const bytes: number[] = [];
  for (let p = every; p < n; p += every) bytes.push(p);
  bytes.push(n);
  const gzipBytes: number[] = [];
  for (const p of bytes) gzipBytes.push(await gzipSize(job.bytes.subarray(0, p)));
  let ctxBits: number[] | null = null;
  let ctxGivenBits: number[] | null = null;
  if (withContext) {
    // contextCode's curve has a point after every `every` bytes and at the end: the same positions
    ctxBits = contextCode(job.bytes, { every }).curve.bits;
    if (job.prime) ctxGivenBits = contextCode(job.bytes, { every, prime: job.prime }).curve.bits;
  }
  return { source: job.source, bytes, gzipBytes, ctxBits, ctxGivenBits };
}
