// Text generation. Sampling happens on the CPU from the returned logits: tf.multinomial on webgpu
// returns a wrong first sample (https://github.com/tensorflow/tfjs/issues/8057).
import { UserError } from '../config.ts';
import type { Tokenizer } from '../data/tokenizer.ts';
import { Rng } from '../rng.ts';
import { nextTokenLogits, type EmbedMode, type ModelConfig, type Params } from './gpt.ts';

export interface SampleOptions {
  maxTokens: number;
  temperature: number; // 0 = always the most likely token
  topK: number; // 0 = all tokens
  seed: number;
}

/** Draws one token from logits, in float64: softmax(logits / temperature) over the top k. */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topK: number, rng: Rng): number {
  const n = logits.length;
  let best = 0;
  for (let i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
  if (temperature <= 0) return best;
  let ids = Array.from({ length: n }, (_, i) => i);
  if (topK > 0 && topK < n) ids = ids.sort((a, b) => logits[b] - logits[a]).slice(0, topK);
  const max = logits[best];
  const w = ids.map((i) => Math.exp((logits[i] - max) / temperature));
  let r = rng.float() * w.reduce((a, b) => a + b, 0);
  for (let j = 0; j < ids.length; j++) {
    r -= w[j];
    if (r < 0) return ids[j];
  }
  return ids[ids.length - 1];
}

/** Continues a prompt. An empty prompt starts from a newline (or the first token), as a GPT needs one token of context. */
export async function generate(p: Params, cfg: ModelConfig, tokenizer: Tokenizer, prompt: string, opts: SampleOptions, embed: EmbedMode): Promise<{ text: string; tokens: number }> {
  let context: number[];
  try {
    context = Array.from(tokenizer.encode(new TextEncoder().encode(prompt === '' ? '\n' : prompt), 'the prompt'));
  } catch (e) {
    if (prompt === '') context = [0];
    else throw e instanceof UserError ? new UserError(`${e.message}; this model's tokenizer cannot encode it`) : e;
  }
  const rng = new Rng(opts.seed);
  const out: number[] = [];
  for (let i = 0; i < opts.maxTokens; i++) {
    const logits = await nextTokenLogits(p, cfg, context, embed); // sync point: sampling
    const t = sampleToken(logits, opts.temperature, opts.topK, rng);
    out.push(t);
    context.push(t);
  }
  return { text: tokenizer.decode(out), tokens: out.length };
}
