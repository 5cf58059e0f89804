// Generated sources whose entropy is known exactly: the references that tests (and curious users) measure
// the model against. Deterministic for a seed.
import { Rng } from '../src/lib/rng.ts';

/** n symbols drawn iid uniformly from the first k letters of `alphabet`: log2 k bits per symbol. */
export function iidUniform(n: number, k: number, seed: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
  if (k > alphabet.length) throw new Error(`k = ${k} exceeds the alphabet`);
  const rng = new Rng(seed);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(k)];
  return s;
}

/** A sticky Markov chain over k symbols: stay with probability `stay`, else move to one of the k − 1 others uniformly. */
export function stickyMarkov(n: number, k: number, stay: number, seed: number, alphabet = 'abcdefghijklmnopqrstuvwxyz'): string {
  const rng = new Rng(seed);
  let state = rng.int(k);
  let s = alphabet[state];
  for (let i = 1; i < n; i++) {
    if (rng.float() >= stay) state = (state + 1 + rng.int(k - 1)) % k;
    s += alphabet[state];
  }
  return s;
}

/** Entropy rate of stickyMarkov in bits per symbol: H(stay, (1 − stay)/(k − 1) × (k − 1)). */
export function stickyMarkovEntropy(k: number, stay: number): number {
  const move = (1 - stay) / (k - 1);
  return -(stay * Math.log2(stay) + (1 - stay) * Math.log2(move));
}

/** −log2 P(b | a) under stickyMarkov: the exact code length of one transition. */
export function stickyMarkovBits(a: string, b: string, k: number, stay: number): number {
  return a === b ? -Math.log2(stay) : -Math.log2((1 - stay) / (k - 1));
}
