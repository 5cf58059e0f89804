// The page's settings in the URL's query string, so a configuration can be shared as a link.
// decodeSettings never throws: a value that is missing, malformed or out of range is simply left out.
import { BACKEND_CHOICES, PRESET_NAMES, type BackendChoice, type TokenizerKind } from '../lib/config.ts';
import type { PresetName } from '../../models/presets.ts';

/** Everything a link can set. Absent = the page's default (or, for lr/batch/block, the preset's). */
export interface UrlSettings {
  pair?: string; // a bundled pair's id
  preset?: PresetName;
  tokenizer?: TokenizerKind;
  backend?: BackendChoice;
  seed?: number;
  passes?: number;
  steps?: number; // 0 = use passes
  minutes?: number; // time budget, 0 = none
  lr?: number;
  batchSize?: number;
  blockSize?: number;
}

// query key, and how to read and check one value
type Parser<T> = (s: string) => T | undefined;

const int =
  (min: number, max: number): Parser<number> =>
  (s) => {
    if (!/^\d+$/.test(s)) return undefined;
    const n = Number(s);
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
  };

const real =
  (min: number, max: number, open = false): Parser<number> =>
  (s) => {
    if (!/^[0-9.eE+-]+$/.test(s)) return undefined;
    const n = Number(s);
    if (!Number.isFinite(n)) return undefined;
    return (open ? n > min : n >= min) && n <= max ? n : undefined;
  };

const oneOf =
  <T extends string>(values: readonly T[]): Parser<T> =>
  (s) =>
    (values as readonly string[]).includes(s) ? (s as T) : undefined;

const FIELDS: { [K in keyof UrlSettings]-?: { key: string; parse: Parser<NonNullable<UrlSettings[K]>> } } = {
  pair: { key: 'pair', parse: (s) => (/^[a-z0-9][a-z0-9-]{0,63}$/.test(s) ? s : undefined) },
  preset: { key: 'preset', parse: oneOf(PRESET_NAMES) },
  tokenizer: { key: 'tok', parse: oneOf(['byte', 'char'] as const) },
  backend: { key: 'backend', parse: oneOf(BACKEND_CHOICES) },
  seed: { key: 'seed', parse: int(0, 2 ** 32 - 1) },
  passes: { key: 'passes', parse: int(1, 1000) },
  steps: { key: 'steps', parse: int(0, 10_000_000) },
  minutes: { key: 'min', parse: real(0, 7 * 24 * 60) },
  lr: { key: 'lr', parse: real(0, 1, true) },
  batchSize: { key: 'batch', parse: int(1, 4096) },
  blockSize: { key: 'block', parse: int(2, 4096) },
};

const KEYS = Object.keys(FIELDS) as (keyof UrlSettings)[];

/** Reads settings from a query string ('?a=1&b=2' or 'a=1&b=2'). Unknown keys and bad values are ignored. */
export function decodeSettings(query: string): UrlSettings {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const k of KEYS) {
    const raw = params.get(FIELDS[k].key);
    if (raw === null) continue;
    const v = FIELDS[k].parse(raw.trim());
    if (v !== undefined) out[k] = v;
  }
  return out as UrlSettings;
}

/** Writes settings as a query string (without '?'), leaving out those equal to `defaults`. */
export function encodeSettings(s: UrlSettings, defaults: UrlSettings = {}): string {
  const params = new URLSearchParams();
  for (const k of KEYS) {
    const v = s[k];
    if (v === undefined || v === defaults[k]) continue;
    params.set(FIELDS[k].key, String(v));
  }
  return params.toString();
}

/** True when the query string holds at least one setting kxy understands. */
export function hasSettings(query: string): boolean {
  return Object.keys(decodeSettings(query)).length > 0;
}
