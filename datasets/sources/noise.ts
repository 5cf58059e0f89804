// Source: pure noise, generated on the fly by ../synthetic.ts: Chinese characters drawn independently and
// uniformly, so it shares not a single byte with English. Deterministic for a seed; reached only via ../index.ts.
import { iidUniform } from '../synthetic.ts';

export const NOISE_CHARS = 78_666; // three UTF-8 bytes each: 235,998 bytes, about the size of the English X's
export const NOISE_K = 4096; // U+4E00…U+4FFF: log2 4096 = 12 bits per character, exactly 4 bits per byte
const ALPHABET = Array.from({ length: NOISE_K }, (_, i) => String.fromCharCode(0x4e00 + i)).join('');

/** The first n characters of the noise for this seed, as UTF-8. A fresh copy each call. */
export function noiseBytes(seed: number, n = NOISE_CHARS): Uint8Array {
  return new TextEncoder().encode(iidUniform(n, NOISE_K, seed, ALPHABET));
}
