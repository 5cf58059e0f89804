// Source: the sticky Markov chain of the synthetic pairs, generated on the fly by ../synthetic.ts (no data
// shipped; deterministic for a seed). Reached only through a dynamic import() in ../index.ts.
import { stickyMarkov, stickyMarkovEntropy } from '../synthetic.ts';

export const MARKOV_SYMBOLS = 100_000; // default length; one byte each: the alphabet is ASCII letters
export const MARKOV_K = 16; // letters a…p
export const MARKOV_STAY = 0.9; // repeat the last letter with probability 0.9, else jump to one of the 15 others

/** The chain's entropy rate, the best any model can do on average: about 0.860 bits per symbol (= per byte). */
export const MARKOV_ENTROPY = stickyMarkovEntropy(MARKOV_K, MARKOV_STAY);

/** The first n symbols of the chain for this seed (a shorter n gives a prefix), as bytes. A fresh copy each call. */
export function markovBytes(seed: number, n = MARKOV_SYMBOLS): Uint8Array {
  return new TextEncoder().encode(stickyMarkov(n, MARKOV_K, MARKOV_STAY, seed));
}
