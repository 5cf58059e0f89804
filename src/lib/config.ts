// RunConfig: every knob of an experiment in one flat, typed block. Presets (models/presets.ts) are
// partial overrides; the resolved config is frozen, shared by the x, y and xy runs, and saved with every export.
import { PRESETS as PRESET_TABLE, type PresetName } from '../../models/presets.ts';

export type TokenizerKind = 'byte' | 'char';

/** The runs of an experiment. x trains on X, y on Y, xy on both interleaved (learning both at once);
 *  x2y starts from x's final weights and trains on Y exactly as y does (learning X first), y2x the other way;
 *  c trains on a control text C exactly as x trains on X, and c2y starts from it and trains on Y as y does. */
export type RunName = 'x' | 'y' | 'xy' | 'x2y' | 'y2x' | 'c' | 'c2y';
export const RUN_NAMES: RunName[] = ['x', 'y', 'xy', 'x2y', 'y2x', 'c', 'c2y'];

/** The control text C of run c2y: X's tokens in a seeded random order (same symbols and frequencies, no
 *  order), or noise over symbols that never occur in Y (the pure effect of pretraining at all). */
export type ControlKind = 'shuffle' | 'noise' | 'none';
export const CONTROL_KINDS: ControlKind[] = ['shuffle', 'noise', 'none'];

/** Where to train: 'auto' tries webgpu (hardware adapters only), then wasm, then cpu. */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm' | 'cpu';
export const BACKEND_CHOICES: BackendChoice[] = ['auto', 'webgpu', 'wasm', 'cpu'];

export interface RunConfig {
  preset: string; // which preset these values came from (informational)
  // model (nanoGPT's GPTConfig)
  vocabSize: number; // set from the tokenizer: 256 for bytes, |union of characters| for chars
  blockSize: number; // context length T
  nLayer: number; // transformer blocks
  nHead: number; // attention heads; nEmbd must divide by it
  nEmbd: number; // width C
  dropout: number; // training only; scoring (validation and prequential) is always without dropout
  // optimisation (AdamW, nanoGPT's defaults)
  batchSize: number; // windows per step B
  lr: number; // peak learning rate after warmup
  minLr: number; // cosine floor; 0 means lr / 10
  warmupSteps: number; // linear warmup; capped at a tenth of the run
  beta1: number;
  beta2: number;
  eps: number; // explicit: tfjs's webgl default would be 1e-4
  weightDecay: number; // decoupled, on 2-D weights only
  gradClip: number; // global-norm clip; 0 disables
  zLoss: number; // training only: adds zLoss × mean (log Σ exp logits)² to the loss, so logits cannot drift (PaLM's z-loss); never in a code length
  // budget: the same for every run, per token
  passes: number; // passes over each run's own training stream; the prequential code counts the first
  replay: number; // each step also trains on replay × B windows drawn from those already coded (never scored)
  steps: number; // if > 0, every run takes exactly this many steps instead (quick looks)
  // data
  tokenizer: TokenizerKind; // byte: V = 256, nothing leaks between datasets; char: union of all sources
  valFraction: number; // the last fraction of each source is held out for validation
  maxBytes: number; // use only the first maxBytes of each source; 0 = all
  evalWindows: number; // at most this many fixed validation windows per source
  evalEvery: number; // steps between validations (and always at the start and end); 0 = about 20 per run
  logEvery: number; // steps between synced training metrics
  seed: number; // initial weights, window order, dropout
}

export const DEFAULTS: Readonly<RunConfig> = Object.freeze({
  preset: 'custom',
  vocabSize: 256,
  blockSize: 64,
  nLayer: 2,
  nHead: 4,
  nEmbd: 64,
  dropout: 0,
  batchSize: 16,
  lr: 1e-3,
  minLr: 0,
  warmupSteps: 20,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0.1,
  gradClip: 1.0,
  zLoss: 0, // off unless a preset sets it, so a config saved before it existed reads back as it trained
  passes: 1,
  replay: 1, // measured on the default pair (nano, wasm): r = 0, 1, 3 code Y at 4.42, 4.02, 3.99 bits/byte for 1, 1.7, 3.1× the time
  steps: 0,
  tokenizer: 'byte',
  valFraction: 0.1,
  maxBytes: 0,
  evalWindows: 64,
  evalEvery: 0,
  logEvery: 5,
  seed: 1337,
});

/** The presets, checked here against RunConfig (presets.ts imports nothing, so there is no import circle). */
export const PRESETS: Readonly<Record<PresetName, Readonly<Partial<RunConfig>>>> = PRESET_TABLE;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as string[]).includes(name);
}

/** Thrown for anything a user can fix: the message is meant to be shown as it is. */
export class UserError extends Error {
  override name = 'UserError';
}

/** Preset, then overrides, then checks. The result is frozen. */
export function resolveConfig(preset: string = 'nano', overrides: Partial<RunConfig> = {}): Readonly<RunConfig> {
  if (!isPresetName(preset)) {
    throw new UserError(`unknown preset '${preset}' (choose one of: ${PRESET_NAMES.join(', ')})`);
  }
  const cfg: RunConfig = { ...DEFAULTS, ...PRESETS[preset], preset, ...stripUndefined(overrides) };
  if (!(cfg.minLr > 0)) cfg.minLr = cfg.lr / 10;
  validateConfig(cfg);
  return Object.freeze(cfg);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function validateConfig(cfg: RunConfig): void {
  const posInt: (keyof RunConfig)[] = ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd', 'batchSize', 'passes', 'evalWindows', 'logEvery'];
  for (const k of posInt) {
    const v = cfg[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UserError(`${k} must be a positive integer (got ${String(v)})`);
  }
  for (const k of ['steps', 'warmupSteps', 'maxBytes', 'seed', 'evalEvery', 'replay'] as const) {
    if (!Number.isInteger(cfg[k]) || cfg[k] < 0) throw new UserError(`${k} must be a non-negative integer (got ${cfg[k]})`);
  }
  if (cfg.nEmbd % cfg.nHead !== 0) throw new UserError(`nEmbd (${cfg.nEmbd}) must be divisible by nHead (${cfg.nHead})`);
  if (!(cfg.dropout >= 0 && cfg.dropout < 1)) throw new UserError(`dropout must be in [0, 1) (got ${cfg.dropout})`);
  if (!(cfg.valFraction > 0 && cfg.valFraction < 1)) throw new UserError(`valFraction must be in (0, 1) (got ${cfg.valFraction})`);
  for (const k of ['lr', 'minLr', 'eps'] as const) {
    if (!(cfg[k] > 0 && Number.isFinite(cfg[k]))) throw new UserError(`${k} must be a positive number (got ${cfg[k]})`);
  }
  for (const k of ['beta1', 'beta2'] as const) {
    if (!(cfg[k] >= 0 && cfg[k] < 1)) throw new UserError(`${k} must be in [0, 1) (got ${cfg[k]})`);
  }
  if (!(cfg.weightDecay >= 0) || !(cfg.gradClip >= 0) || !(cfg.zLoss >= 0 && Number.isFinite(cfg.zLoss))) throw new UserError('weightDecay, gradClip and zLoss must be non-negative');
  if (cfg.tokenizer !== 'byte' && cfg.tokenizer !== 'char') throw new UserError(`tokenizer must be 'byte' or 'char' (got ${String(cfg.tokenizer)})`);
}

/** A config read back from a file or a URL: known keys of the right type only, then the usual checks. */
export function configFromJson(obj: unknown): Readonly<RunConfig> {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new UserError('the config is not a JSON object');
  const cfg: RunConfig = { ...DEFAULTS };
  const target = cfg as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    if (!(k in DEFAULTS)) continue;
    if (typeof v !== typeof target[k]) throw new UserError(`config field ${k} should be a ${typeof target[k]}, not ${JSON.stringify(v)}`);
    target[k] = v;
  }
  if (!(cfg.minLr > 0)) cfg.minLr = cfg.lr / 10;
  validateConfig(cfg);
  return Object.freeze(cfg);
}

/** The keys on which two configs differ, for showing what an import or a URL changed. */
export function configDiff(a: RunConfig, b: RunConfig): (keyof RunConfig)[] {
  return (Object.keys(DEFAULTS) as (keyof RunConfig)[]).filter((k) => a[k] !== b[k]);
}

/** Steps between validations of a run: evalEvery, or about 20 over the run when it is 0 (auto). */
export function evalInterval(cfg: Pick<RunConfig, 'evalEvery'>, totalSteps: number): number {
  return cfg.evalEvery > 0 ? cfg.evalEvery : Math.max(1, Math.round(totalSteps / 20));
}

/** Parameter count of the GPT this config describes (wte counted once: the head is tied). */
export function paramCount(cfg: Pick<RunConfig, 'vocabSize' | 'blockSize' | 'nLayer' | 'nEmbd'>): number {
  const C = cfg.nEmbd;
  const perBlock = 2 * C + (3 * C * C + 3 * C) + (C * C + C) + 2 * C + (4 * C * C + 4 * C) + (4 * C * C + C);
  return cfg.vocabSize * C + cfg.blockSize * C + cfg.nLayer * perBlock + 2 * C;
}
