// The page's settings in the URL's query string, so a configuration (and how the chart shows it) can be
// shared as a link. Reading never throws: a value that is malformed or out of range is left out, and
// reported as ignored so the page can say so.
import { BACKEND_CHOICES, CONTROL_KINDS, PRESET_NAMES, type BackendChoice, type ControlKind, type TokenizerKind } from '../lib/config.ts';
import type { PresetName } from '../../models/presets.ts';
import type { Unit, XAxis } from './runs.svelte.ts';

const UNITS: readonly Unit[] = ['bpb', 'bpt'];
const AXES: readonly XAxis[] = ['tokens', 'tokensY', 'step', 'time'];

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
  control?: ControlKind; // the control run's text: X shuffled, noise, or no control run
  seeds?: number; // the experiment runs this many times, seeds seed, seed + 1, …
  replay?: number; // windows replayed per new window
  // how the chart shows the curves (they change no result)
  unit?: Unit;
  axis?: XAxis;
  log?: boolean;
  smooth?: boolean; // smooths training loss only
  showTrain?: boolean;
  showCode?: boolean;
}

/** The chart's view options: a link that holds only these does not count as a training setting. */
export const VIEW_KEYS = ['unit', 'axis', 'log', 'smooth', 'showTrain', 'showCode'] as const satisfies readonly (keyof UrlSettings)[];

/** A query value that was not used, and what would have been accepted. */
export interface Ignored {
  key: string; // as written in the query, e.g. 'preset'
  value: string;
  expected: string; // e.g. 'one of nano, micro, small'
}

// how to read and check one value
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

const flag: Parser<boolean> = (s) => (s === '1' || s === 'true' ? true : s === '0' || s === 'false' ? false : undefined);

const list = (values: readonly string[]) => `one of ${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;

type Field<T> = { key: string; parse: Parser<T>; expected: string; write?: (v: T) => string };

const FIELDS: { [K in keyof UrlSettings]-?: Field<NonNullable<UrlSettings[K]>> } = {
  pair: { key: 'pair', parse: (s) => (/^[a-z0-9][a-z0-9-]{0,63}$/.test(s) ? s : undefined), expected: 'the id of a bundled pair' },
  preset: { key: 'preset', parse: oneOf(PRESET_NAMES), expected: list(PRESET_NAMES) },
  tokenizer: { key: 'tok', parse: oneOf(['byte', 'char'] as const), expected: list(['byte', 'char']) },
  backend: { key: 'backend', parse: oneOf(BACKEND_CHOICES), expected: list(BACKEND_CHOICES) },
  seed: { key: 'seed', parse: int(0, 2 ** 32 - 1), expected: `an integer from 0 to ${2 ** 32 - 1}` },
  passes: { key: 'passes', parse: int(1, 1000), expected: 'an integer from 1 to 1000' },
  steps: { key: 'steps', parse: int(0, 10_000_000), expected: 'an integer from 0 to 10,000,000' },
  minutes: { key: 'min', parse: real(0, 7 * 24 * 60), expected: 'minutes from 0 to 10080' },
  lr: { key: 'lr', parse: real(0, 1, true), expected: 'a number above 0, at most 1' },
  batchSize: { key: 'batch', parse: int(1, 4096), expected: 'an integer from 1 to 4096' },
  blockSize: { key: 'block', parse: int(2, 4096), expected: 'an integer from 2 to 4096' },
  control: { key: 'control', parse: oneOf(CONTROL_KINDS), expected: list(CONTROL_KINDS) },
  seeds: { key: 'seeds', parse: int(1, 5), expected: 'an integer from 1 to 5' },
  replay: { key: 'replay', parse: int(0, 7), expected: 'an integer from 0 to 7' },
  unit: { key: 'unit', parse: oneOf(UNITS), expected: list(UNITS) },
  axis: { key: 'axis', parse: oneOf(AXES), expected: list(AXES) },
  log: { key: 'log', parse: flag, expected: '1 or 0', write: (v) => (v ? '1' : '0') },
  smooth: { key: 'smooth', parse: flag, expected: '1 or 0', write: (v) => (v ? '1' : '0') },
  showTrain: { key: 'train', parse: flag, expected: '1 or 0', write: (v) => (v ? '1' : '0') },
  showCode: { key: 'code', parse: flag, expected: '1 or 0', write: (v) => (v ? '1' : '0') },
};

const KEYS = Object.keys(FIELDS) as (keyof UrlSettings)[];

/** Reads settings from a query string ('?a=1&b=2' or 'a=1&b=2'), and lists the values it could not use.
 *  Keys kxy does not know (utm_source, …) are not ours to judge, so they are neither read nor listed. */
export function readLink(query: string): { settings: UrlSettings; ignored: Ignored[] } {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(query);
  } catch {
    return { settings: {}, ignored: [] };
  }
  const out: Record<string, unknown> = {};
  const ignored: Ignored[] = [];
  for (const k of KEYS) {
    const f = FIELDS[k];
    const raw = params.get(f.key);
    if (raw === null) continue;
    const v = f.parse(raw.trim());
    if (v !== undefined) out[k] = v;
    else ignored.push({ key: f.key, value: raw, expected: f.expected });
  }
  return { settings: out as UrlSettings, ignored };
}

/** The settings a query string holds; bad values are left out (readLink says which). */
export function decodeSettings(query: string): UrlSettings {
  return readLink(query).settings;
}

/** Writes settings as a query string (without '?'), leaving out those equal to `defaults`. */
export function encodeSettings(s: UrlSettings, defaults: UrlSettings = {}): string {
  const params = new URLSearchParams();
  for (const k of KEYS) {
    const v = s[k];
    if (v === undefined || v === defaults[k]) continue;
    const f = FIELDS[k] as Field<typeof v>;
    params.set(f.key, f.write ? f.write(v) : String(v));
  }
  return params.toString();
}

/** True when the query string holds at least one training setting kxy understands (view options do not count:
 *  a link that only sets the chart's unit must not replace the stored experiment's settings). */
export function hasSettings(query: string): boolean {
  const s = decodeSettings(query);
  return Object.keys(s).some((k) => !(VIEW_KEYS as readonly string[]).includes(k));
}

/** The query key of a setting ('tokenizer' → 'tok'), for messages. */
export const queryKey = (k: keyof UrlSettings): string => FIELDS[k].key;
