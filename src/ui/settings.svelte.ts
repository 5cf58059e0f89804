// What the user has chosen before training: the two datasets (a bundled pair, a file or pasted text) and
// the model, tokenizer, backend and budget. Derives the RunConfig and checks each dataset against it.
// Refused input never replaces an earlier choice.
import { DEFAULT_PAIR_ID, PAIRS, findPair } from '../../datasets/index.ts';
import type { PresetName } from '../../models/presets.ts';
import { DEFAULTS, PRESETS, isPresetName, resolveConfig, type BackendChoice, type ControlKind, type RunConfig, type TokenizerKind } from '../lib/config.ts';
import { trainWindowStarts } from '../lib/data/batches.ts';
import { MAX_SOURCE_BYTES, checkSource, formatBytes, type SourceCheck } from '../lib/data/inputs.ts';
import type { ExperimentRecord } from '../app/store/persist.ts';
import { encodeSettings, type Ignored, type UrlSettings } from '../app/url.ts';
import type { PlotOptions } from './chart.ts';

export type SourceKey = 'X' | 'Y';
export const SOURCE_KEYS: SourceKey[] = ['X', 'Y'];

export interface SourceChoice {
  label: string; // shown everywhere the source is named: a pair's description, a file name, "pasted text"
  bytes: Uint8Array;
  origin: 'pair' | 'file' | 'text';
}

/** The page's defaults; the URL lists only what differs from them. */
export const PAGE_DEFAULTS = {
  pair: DEFAULT_PAIR_ID,
  preset: 'nano' as PresetName, // trains at a few steps a second on wasm: curves move within seconds
  tokenizer: 'byte' as TokenizerKind,
  backend: 'auto' as BackendChoice,
  seed: DEFAULTS.seed,
  passes: 1,
  steps: 0,
  minutes: 0,
  control: 'shuffle' as ControlKind, // the control run c → y, beside x → y
  seeds: 1,
  replay: DEFAULTS.replay,
  unit: 'bpb',
  axis: 'tokens',
  log: false,
  smooth: false,
  showTrain: true,
  showCode: false,
} satisfies UrlSettings;

/** How the chart shows the curves; in the URL with the settings, so a link shows the same view. */
export class Plot implements PlotOptions {
  unit = $state<PlotOptions['unit']>(PAGE_DEFAULTS.unit);
  axis = $state<PlotOptions['axis']>(PAGE_DEFAULTS.axis);
  log = $state<boolean>(PAGE_DEFAULTS.log);
  smooth = $state<boolean>(PAGE_DEFAULTS.smooth); // training loss only: validation is shown as measured
  showCode = $state<boolean>(PAGE_DEFAULTS.showCode);
  showTrain = $state<boolean>(PAGE_DEFAULTS.showTrain);

  /** A plain copy for Chart.js (reading it also subscribes an effect to every option). */
  get value(): PlotOptions {
    return { unit: this.unit, axis: this.axis, log: this.log, smooth: this.smooth, showCode: this.showCode, showTrain: this.showTrain };
  }
}

/** A preset's own value of a knob, for placeholders and for leaving equal values out of the overrides. */
export function presetValue<K extends 'lr' | 'batchSize' | 'blockSize'>(preset: PresetName, k: K): RunConfig[K] {
  return (PRESETS[preset][k] ?? DEFAULTS[k]) as RunConfig[K];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class Settings {
  // data
  pairId = $state<string>(PAGE_DEFAULTS.pair); // '' = the user's own data in X or Y
  pairLoading = $state(false);
  pairError = $state<string | null>(null);
  x = $state.raw<SourceChoice | null>(null);
  y = $state.raw<SourceChoice | null>(null);
  refusal = $state<Record<SourceKey, string | null>>({ X: null, Y: null }); // why the last offer was refused

  // model and budget
  preset = $state<PresetName>(PAGE_DEFAULTS.preset);
  tokenizer = $state<TokenizerKind>(PAGE_DEFAULTS.tokenizer);
  backend = $state<BackendChoice>(PAGE_DEFAULTS.backend);
  seed = $state(PAGE_DEFAULTS.seed);
  passes = $state(PAGE_DEFAULTS.passes);
  steps = $state(PAGE_DEFAULTS.steps);
  minutes = $state(PAGE_DEFAULTS.minutes);
  control = $state<ControlKind>(PAGE_DEFAULTS.control);
  seeds = $state(PAGE_DEFAULTS.seeds); // 1–5: the whole experiment with seeds seed, seed + 1, …
  replay = $state(PAGE_DEFAULTS.replay); // 0–7 windows replayed per new window
  lr = $state<number | null>(null); // null: the preset's
  batchSize = $state<number | null>(null);
  blockSize = $state<number | null>(null);
  initFrom = $state<string | null>(null); // an imported model every run starts from
  readonly plot = new Plot();
  ignored = $state<Ignored[]>([]); // the link's values that were not used, shown until dismissed
  linkedPair = false; // the link named a bundled pair: it wins over the data kept from the last visit

  private loadSeq = 0;
  /** Hears, once per change, that X, Y or the pair changed (the page keeps the user's data in IndexedDB). */
  onDataChange: (() => void) | null = null;
  private dataChangePending = false;

  /** Block size in effect: checks depend on it (and on the tokenizer) only, so they rerun only when these change. */
  effectiveBlockSize = $derived(this.blockSize ?? presetValue(this.preset, 'blockSize'));
  effectiveBatchSize = $derived(this.batchSize ?? presetValue(this.preset, 'batchSize'));

  overrides = $derived.by((): Partial<RunConfig> => {
    const o: Partial<RunConfig> = { tokenizer: this.tokenizer, seed: this.seed, passes: this.passes, steps: this.steps, replay: this.replay };
    if (this.lr !== null) o.lr = this.lr;
    if (this.batchSize !== null) o.batchSize = this.batchSize;
    if (this.blockSize !== null) o.blockSize = this.blockSize;
    return o;
  });

  resolved = $derived.by((): { cfg: Readonly<RunConfig> | null; error: string | null } => {
    try {
      return { cfg: resolveConfig(this.preset, this.overrides), error: null };
    } catch (e) {
      return { cfg: null, error: message(e) };
    }
  });

  checkX = $derived(this.check('X', this.x));
  checkY = $derived(this.check('Y', this.y));

  /** Steps each run will take, from the token counts (the worker's plan is the same arithmetic). */
  estimate = $derived.by(() => {
    const T = this.effectiveBlockSize;
    const B = this.effectiveBatchSize;
    const windows = (c: SourceCheck | null) => (c?.ok ? trainWindowStarts(c.tokens - Math.floor(c.tokens * DEFAULTS.valFraction), T).length : 0);
    const wx = windows(this.checkX);
    const wy = windows(this.checkY);
    const steps = (w: number) => (this.steps > 0 ? this.steps : Math.ceil((this.passes * w) / B));
    return { x: steps(wx), y: steps(wy), xy: steps(wx + wy), tokensPerStep: B * T };
  });

  ready = $derived(!!this.resolved.cfg && !!this.checkX?.ok && !!this.checkY?.ok && !this.pairLoading);

  /** Why Train is disabled, in words; null when it is not. */
  blocker = $derived.by((): string | null => {
    if (this.pairLoading) return 'loading the datasets…';
    if (this.resolved.error) return this.resolved.error;
    if (!this.x || !this.y) return 'choose both X and Y';
    if (!this.checkX?.ok) return this.checkX?.message ?? null;
    if (!this.checkY?.ok) return this.checkY?.message ?? null;
    return null;
  });

  url = $derived(
    encodeSettings(
      {
        pair: this.pairId || undefined,
        preset: this.preset,
        tokenizer: this.tokenizer,
        backend: this.backend,
        seed: this.seed,
        passes: this.passes,
        steps: this.steps,
        minutes: this.minutes,
        lr: this.lr ?? undefined,
        batchSize: this.batchSize ?? undefined,
        blockSize: this.blockSize ?? undefined,
        control: this.control,
        seeds: this.seeds,
        replay: this.replay,
        ...this.plot.value,
      },
      PAGE_DEFAULTS,
    ),
  );

  /** `ignored`: the link's values that readLink could not use, to show. */
  constructor(fromUrl: UrlSettings = {}, ignored: Ignored[] = []) {
    this.ignored = [...ignored];
    this.apply(fromUrl);
  }

  /** Takes settings from a link; the pair only if it exists (else it is listed as ignored). Values were
   *  validated by readLink. */
  apply(s: UrlSettings): void {
    if (s.pair !== undefined) {
      if (findPair(s.pair)) {
        this.pairId = s.pair;
        this.linkedPair = true;
      }
      else this.ignored = [...this.ignored, { key: 'pair', value: s.pair, expected: `a bundled pair: ${PAIRS.map((p) => p.id).join(', ')}` }];
    }
    if (s.preset !== undefined) this.preset = s.preset;
    if (s.tokenizer !== undefined) this.tokenizer = s.tokenizer;
    if (s.backend !== undefined) this.backend = s.backend;
    if (s.seed !== undefined) this.seed = s.seed;
    if (s.passes !== undefined) this.passes = s.passes;
    if (s.steps !== undefined) this.steps = s.steps;
    if (s.minutes !== undefined) this.minutes = s.minutes;
    if (s.lr !== undefined) this.lr = s.lr;
    if (s.batchSize !== undefined) this.batchSize = s.batchSize;
    if (s.blockSize !== undefined) this.blockSize = s.blockSize;
    if (s.control !== undefined) this.control = s.control;
    if (s.seeds !== undefined) this.seeds = s.seeds;
    if (s.replay !== undefined) this.replay = s.replay;
    const p = this.plot;
    if (s.unit !== undefined) p.unit = s.unit;
    if (s.axis !== undefined) p.axis = s.axis;
    if (s.log !== undefined) p.log = s.log;
    if (s.smooth !== undefined) p.smooth = s.smooth;
    if (s.showTrain !== undefined) p.showTrain = s.showTrain;
    if (s.showCode !== undefined) p.showCode = s.showCode;
  }

  /** Shows a stored experiment's settings and (unless withData is false) its data, so the page says what was run. */
  adopt(rec: ExperimentRecord, withData = true): void {
    const c = rec.cfg;
    if (isPresetName(c.preset)) this.preset = c.preset;
    const p = this.preset;
    this.tokenizer = c.tokenizer;
    this.seed = c.seed;
    this.passes = c.passes;
    this.steps = c.steps;
    this.backend = rec.backend;
    this.minutes = Math.round((rec.maxSeconds / 60) * 100) / 100;
    this.control = rec.control ?? 'shuffle';
    this.seeds = rec.seeds ?? 1;
    this.replay = c.replay ?? 0;
    this.lr = c.lr !== presetValue(p, 'lr') ? c.lr : null;
    this.batchSize = c.batchSize !== presetValue(p, 'batchSize') ? c.batchSize : null;
    this.blockSize = c.blockSize !== presetValue(p, 'blockSize') ? c.blockSize : null;
    if (withData) this.adoptData(rec);
  }

  /** Shows stored data in X and Y (an experiment's, or the user's own kept since the last visit). */
  adoptData(d: { pairId: string | null; x: { label: string; bytes: ArrayBuffer; origin?: SourceChoice['origin'] }; y: { label: string; bytes: ArrayBuffer; origin?: SourceChoice['origin'] } | null }): void {
    this.loadSeq++; // a pair still loading must not overwrite this
    this.pairLoading = false;
    this.pairId = d.pairId && findPair(d.pairId) ? d.pairId : '';
    const origin = d.pairId ? 'pair' : 'file';
    this.x = { label: d.x.label, bytes: new Uint8Array(d.x.bytes.slice(0)), origin: d.x.origin ?? origin };
    this.y = d.y ? { label: d.y.label, bytes: new Uint8Array(d.y.bytes.slice(0)), origin: d.y.origin ?? origin } : null;
    this.refusal = { X: null, Y: null };
    this.dataChanged();
  }

  /** Tells onDataChange once, after the current change (several fields) is complete. */
  private dataChanged(): void {
    if (this.dataChangePending) return;
    this.dataChangePending = true;
    queueMicrotask(() => {
      this.dataChangePending = false;
      this.onDataChange?.();
    });
  }

  source(k: SourceKey): SourceChoice | null {
    return k === 'X' ? this.x : this.y;
  }

  checkOf(k: SourceKey): SourceCheck | null {
    return k === 'X' ? this.checkX : this.checkY;
  }

  private check(k: SourceKey, s: SourceChoice | null): SourceCheck | null {
    if (!s) return null;
    return checkSource(k, s.bytes, { tokenizer: this.tokenizer, blockSize: this.effectiveBlockSize, valFraction: DEFAULTS.valFraction, maxBytes: DEFAULTS.maxBytes });
  }

  /** Loads a bundled pair into X and Y. A later call wins over an earlier one still loading. */
  async choosePair(id: string): Promise<void> {
    const pair = findPair(id);
    if (!pair) return;
    const seq = ++this.loadSeq;
    this.pairId = id;
    this.pairLoading = true;
    this.pairError = null;
    try {
      const { x, y } = await pair.load();
      if (seq !== this.loadSeq) return;
      this.x = { label: pair.xName, bytes: x, origin: 'pair' };
      this.y = { label: pair.yName, bytes: y, origin: 'pair' };
      this.refusal = { X: null, Y: null };
      this.dataChanged();
    } catch (e) {
      if (seq === this.loadSeq) this.pairError = `could not load '${pair.title}': ${message(e)}`;
    } finally {
      if (seq === this.loadSeq) this.pairLoading = false;
    }
  }

  /** Offers new data for X or Y; refused data (with the reason in `refusal`) leaves the earlier choice. */
  offer(k: SourceKey, label: string, bytes: Uint8Array, origin: SourceChoice['origin']): boolean {
    const c = checkSource(label, bytes, { tokenizer: this.tokenizer, blockSize: this.effectiveBlockSize, valFraction: DEFAULTS.valFraction, maxBytes: DEFAULTS.maxBytes });
    if (!c.ok) {
      this.refusal[k] = `${c.message}. ${this.source(k) ? `Kept the earlier ${k}.` : ''}`.trim();
      return false;
    }
    this.loadSeq++; // a pair still loading must not overwrite this
    this.pairLoading = false;
    const choice = { label, bytes, origin };
    if (k === 'X') this.x = choice;
    else this.y = choice;
    this.refusal[k] = null;
    this.pairId = '';
    this.dataChanged();
    return true;
  }

  async offerFile(k: SourceKey, file: File): Promise<boolean> {
    // refuse a huge file before reading it into memory
    if (file.size > MAX_SOURCE_BYTES) {
      this.refusal[k] = `${file.name}: ${formatBytes(file.size)} is over the ${formatBytes(MAX_SOURCE_BYTES)} limit per dataset; use a shorter excerpt.${this.source(k) ? ` Kept the earlier ${k}.` : ''}`;
      return false;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      this.refusal[k] = `${file.name}: could not read the file (${message(e)})`;
      return false;
    }
    return this.offer(k, file.name, bytes, 'file');
  }

  offerText(k: SourceKey, text: string): boolean {
    if (text.trim() === '') {
      this.refusal[k] = `pasted text: the text is empty.${this.source(k) ? ` Kept the earlier ${k}.` : ''}`;
      return false;
    }
    const bytes = new TextEncoder().encode(text);
    return this.offer(k, `pasted text (${[...text].length.toLocaleString('en-US')} characters)`, bytes, 'text');
  }

  clearRefusal(k: SourceKey): void {
    this.refusal[k] = null;
  }
}

export { PAIRS };
