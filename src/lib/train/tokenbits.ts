// Per-token bits of a model over one source's fixed validation windows: the same windows, context and
// eval mode as Run.evaluate(), kept token by token instead of summed. Feeds the surprisal map.
import * as tf from '@tensorflow/tfjs';
import type { RunConfig } from '../config.ts';
import { gatherWindows, type Dataset } from '../data/batches.ts';
import { natsToBits } from '../metrics/bits.ts';
import { charLayout, surprisalMap, type SurprisalMap } from '../metrics/surprisal.ts';
import { forward, tokenNll, type EmbedMode, type Params } from '../model/gpt.ts';
import { evalSet } from './loop.ts';

export interface TokenBitsOptions {
  /** Called after each chunk of batchSize windows: the worker yields to training here, and may cancel (false). */
  between?: () => Promise<boolean | void>;
}

/** Bits of every target of source `s`'s validation windows, window-major (T per window); null if cancelled.
 *  One forward pass per chunk of batchSize windows, one read each. // sync point */
export async function tokenBits(params: Params, cfg: Readonly<RunConfig>, dataset: Dataset, s: number, embed: EmbedMode, opts: TokenBitsOptions = {}): Promise<Float32Array | null> {
  const T = cfg.blockSize;
  const { windows } = evalSet(dataset, s, cfg);
  const out = new Float32Array(windows.length * T);
  for (let i = 0; i < windows.length; i += cfg.batchSize) {
    const chunk = windows.slice(i, i + cfg.batchSize);
    const { idx, tgt } = gatherWindows(dataset, chunk, T, 'val');
    const nll = tf.tidy(() => {
      const shape: [number, number] = [chunk.length, T];
      return tokenNll(forward(params, cfg, tf.tensor2d(idx, shape, 'int32'), { embed }), tf.tensor2d(tgt, shape, 'int32'));
    });
    const nats = await nll.data(); // sync point: one chunk's bits
    nll.dispose();
    for (let k = 0; k < nats.length; k++) out[i * T + k] = natsToBits(nats[k]);
    if (opts.between && (await opts.between()) === false) return null;
  }
  return out;
}

/** The map of source `s` under two models (the one trained on it alone, and the conditional one); null if cancelled. */
export async function computeSurprisal(
  dataset: Dataset,
  cfg: Readonly<RunConfig>,
  s: number,
  embed: EmbedMode,
  alone: { run: string; step: number; params: Params },
  given: { run: string; step: number; params: Params },
  opts: TokenBitsOptions = {},
): Promise<SurprisalMap | null> {
  const a = await tokenBits(alone.params, cfg, dataset, s, embed, opts);
  if (!a) return null;
  const g = await tokenBits(given.params, cfg, dataset, s, embed, opts);
  if (!g) return null;
  const starts = evalSet(dataset, s, cfg).windows.map((w) => w.start);
  const layout = charLayout(dataset.tokenizer, dataset.sources[s].val, starts, cfg.blockSize);
  return surprisalMap(layout, { run: alone.run, step: alone.step, tokenBits: a }, { run: given.run, step: given.step, tokenBits: g }, dataset.sources[s].name);
}
