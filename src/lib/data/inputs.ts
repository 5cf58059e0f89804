// Checks a dataset a user brings before anything trains on it: not empty, not binary, not too large,
// long enough for one training window plus validation. Pure functions: the page uses them directly.
import type { RunConfig } from '../config.ts';
import { minTokens, tooShortMessage } from './batches.ts';
import { firstInvalidUtf8 } from './tokenizer.ts';

/** Per source. The worker holds the text, its tokens (4 bytes each) and three runs' batches; 32 MiB
 *  keeps a tab well under a gigabyte, and a pass over it already takes hours in a browser. */
export const MAX_SOURCE_BYTES = 32 * 1024 * 1024;

export interface SourceCheck {
  ok: boolean;
  message: string; // why not, or a one-line description
  bytes: number;
  tokens: number; // under the chosen tokenizer
}

const human = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`);

export function formatBytes(n: number): string {
  return human(n);
}

/** Looks like binary: invalid UTF-8, or NUL and other control bytes that text does not have. */
export function binaryReason(data: Uint8Array): string | null {
  const bad = firstInvalidUtf8(data);
  if (bad >= 0) return `it is not UTF-8 text (byte ${bad} is not valid UTF-8)`;
  const n = Math.min(data.length, 1 << 16);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = data[i];
    if (c === 0) return `it contains NUL bytes (at byte ${i}), so it looks binary`;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++;
  }
  return control > n / 100 ? 'more than 1% of its bytes are control characters, so it looks binary' : null;
}

/** Characters in valid UTF-8: every byte that does not continue a sequence starts one. */
function countChars(data: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < data.length; i++) if ((data[i] & 0xc0) !== 0x80) n++;
  return n;
}

export function checkSource(name: string, data: Uint8Array, cfg: Pick<RunConfig, 'tokenizer' | 'blockSize' | 'valFraction' | 'maxBytes'>): SourceCheck {
  const bytes = data.length;
  const fail = (message: string): SourceCheck => ({ ok: false, message: `${name}: ${message}`, bytes, tokens: 0 });
  if (bytes === 0) return fail('the text is empty');
  if (bytes > MAX_SOURCE_BYTES) return fail(`${human(bytes)} is over the ${human(MAX_SOURCE_BYTES)} limit per dataset (the tab could run out of memory); use a shorter excerpt`);
  const why = binaryReason(data);
  if (why) return fail(`${why}; kxy trains on text`);
  const used = cfg.maxBytes > 0 ? Math.min(bytes, cfg.maxBytes) : bytes;
  const tokens = cfg.tokenizer === 'byte' ? used : countChars(data.subarray(0, used));
  const need = minTokens(cfg);
  if (tokens < need) return { ok: false, message: tooShortMessage(name, tokens, cfg), bytes, tokens: 0 }; // the CLI's wording
  return { ok: true, message: `${human(bytes)}, ${tokens.toLocaleString('en-US')} tokens`, bytes, tokens };
}
