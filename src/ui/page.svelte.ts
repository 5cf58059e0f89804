// The page's own state around the Lab: the chart's view options, the sampler, import/export, the backend
// probe, and the actions the buttons call (start, restore on load, download). Components only render it.
import { RUN_NAMES, UserError, evalInterval, type RunName } from '../lib/config.ts';
import { formatBytes } from '../lib/data/inputs.ts';
import { MAX_MODEL_BYTES } from '../lib/io/limits.ts';
import { findPair } from '../../datasets/index.ts';
import { runViewsOf, type ExperimentHistory, type Lab, type RunView } from '../app/runs.svelte.ts';
import { sameBytes, sha256 } from '../app/identity.ts';
import { loadDraft, saveDraft } from '../app/store/draft.ts';
import { HistoryStore, entryFromRecord, usedBytes, type HistoryEntry, type Kv } from '../app/store/history.ts';
import { idbKv, loadExperiment, storageWhy, type ExperimentRecord } from '../app/store/persist.ts';
import type { ModelInfo } from '../worker/protocol.ts';
import { SvelteMap } from 'svelte/reactivity';
import { probeGpu, type GpuProbe } from './probe.ts';
import { PAGE_DEFAULTS, type Plot, type Settings } from './settings.svelte.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The stream each run trains on, for its number of steps (c trains on a control text of X's length). */
const STREAM: Record<RunName, 'x' | 'y' | 'xy'> = { x: 'x', y: 'y', xy: 'xy', x2y: 'y', y2x: 'x', c: 'x', c2y: 'y' };
const PROBE_STEPS = 3;

export interface DurationEstimate {
  seconds: number; // the whole experiment, every seed (capped by the time limit when there is one)
  capped: boolean; // the time limit is shorter
  steps: number; // training steps of all runs and seeds
  runs: number;
  backend: string; // where the probe ran
  secondsPerStep: number;
  secondsPerEval: number; // one validation of one source
}

export class Sampler {
  model = $state('');
  prompt = $state('The ');
  temperature = $state(0.8);
  topK = $state(0);
  maxTokens = $state(200);
  seed = $state(1);
  output = $state('');
  outputPrompt = $state(''); // the prompt the output continues (the prompt field may have changed since)
  busy = $state(false);
  error = $state<string | null>(null);
}

/** The curves of a second experiment drawn beside the one on screen. */
export interface Overlay {
  id: string;
  label: string;
  runs: RunView[];
}

/** How the data on screen relates to the results on screen. */
export type DataMatch = 'none' | 'same' | 'changed';

/** A history line's name: the user's, else the pair (or "your data") and the preset. */
export function entryLabel(e: HistoryEntry): string {
  if (e.name) return e.name;
  const pair = e.pairId ? findPair(e.pairId)?.title : null;
  return `${pair ?? `${e.data.x.label} → ${e.data.y?.label ?? '–'}`} · ${e.preset}`;
}

function download(fileName: string, bytes: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export class Page {
  readonly sampler = new Sampler();
  readonly history: HistoryStore;
  entries = $state.raw<HistoryEntry[]>([]); // the history, newest first
  historyProblem = $state<string | null>(null); // the history could not be read or written: why
  historyBusy = $state<string | null>(null); // the id an action is working on
  draftProblem = $state<string | null>(null); // the user's X and Y could not be kept: why
  storageEstimate = $state<{ usage: number; quota: number } | null>(null); // navigator.storage.estimate()
  overlay = $state.raw<Overlay | null>(null);
  private readonly digests = new SvelteMap<object, string>();

  /** Whether the results on screen (curves, tables) were trained on the data the Data section shows. */
  dataMatch = $derived.by((): DataMatch => {
    const r = this.lab.record;
    const s = this.settings;
    if (!r || this.lab.runs.length === 0) return 'none';
    if (!s.x || !sameBytes(r.x.bytes, s.x.bytes)) return 'changed';
    if (r.y === null || s.y === null) return r.y === s.y ? 'same' : 'changed';
    return sameBytes(r.y.bytes, s.y.bytes) ? 'same' : 'changed';
  });

  /** The SHA-256 of a buffer in hex once computed (null until then); reading it starts the hash. */
  digest(b: ArrayBuffer | Uint8Array): string | null {
    const d = this.digests.get(b);
    if (d === undefined) void sha256(b).then((h) => this.digests.set(b, h));
    return d ?? null;
  }

  /** Bytes the history holds by its own count (records and checkpoints). */
  historyBytes = $derived(usedBytes(this.entries));
  probe = $state<GpuProbe | null>(null);
  restoredUnfinished = $state(false); // a reload brought back an experiment that can resume
  exporting = $state<string | null>(null);
  exportError = $state<string | null>(null);
  importing = $state(false);
  importError = $state<string | null>(null);
  imported = $state<ModelInfo[]>([]);

  /** The header's backend badge: "ready: wasm" once the worker has started its backend, "training on wasm"
   *  while it trains; before the worker reports, what 'auto' will likely pick. */
  backendBadge = $derived.by((): { what: string; text: string; title: string; live: boolean } => {
    const b = this.lab.backend;
    const choice = this.settings.backend;
    const st = this.lab.state;
    const training = st === 'loading' || st === 'running';
    // the worker's backend, unless the user has since chosen another one (it starts with the next run)
    if (b && (training || st === 'paused' || choice === 'auto' || choice === b.name)) {
      const why = /software/i.test(b.note)
        ? 'WebGPU adapter is software'
        : /not available|no navigator\.gpu|no adapter|failed/i.test(b.note) && b.name !== 'webgpu'
          ? 'no usable WebGPU'
          : '';
      // 'auto' raced wasm and the GPU: both rates, so the choice shows its reason
      const rates = b.rates && b.rates.length > 1 ? ` · ${b.rates.map((r) => `${r.name} ${r.tokensPerSecond == null ? 'failed' : `${Math.round(r.tokensPerSecond).toLocaleString('en-US')} tok/s`}`).join(' vs ')}` : '';
      const text = (b.adapter ? `${b.name} · ${b.adapter}` : why ? `${b.name} (${why})` : b.name) + rates;
      const what = training ? 'training on' : st === 'paused' ? 'paused on' : 'ready:';
      return { what, text, title: b.note, live: training };
    }
    if (choice !== 'auto') return { what: 'backend', text: `${choice} (starts with training)`, title: `you chose ${choice}`, live: false };
    const p = this.probe;
    if (!p) return { what: 'backend', text: 'checking WebGPU…', title: '', live: false };
    if (p.adapter && !p.software) return { what: 'backend', text: `webgpu · ${p.adapter}`, title: `auto will use ${p.reason}`, live: false };
    return { what: 'backend', text: `wasm (${p.reason})`, title: 'auto uses WebGPU only on a hardware adapter, else wasm', live: false };
  });

  /** The runs Train starts: every run, less the control's when there is none. */
  plannedRuns = $derived(RUN_NAMES.filter((r) => this.settings.control !== 'none' || (r !== 'c' && r !== 'c2y')));

  // The duration estimate before Train: a probe times PROBE_STEPS steps of the chosen preset on the chosen
  // backend in the worker; the steps and validations of the planned runs then give the total.
  probeTimes = $state<{ key: string; backend: string; secondsPerStep: number; secondsPerEval: number } | null>(null);
  probing = $state<string | null>(null); // the key being probed
  probeError = $state<string | null>(null);

  /** What a probe depends on: the model's shapes, the batch, replay and the backend (not the data). */
  probeKey = $derived.by(() => {
    const c = this.settings.resolved.cfg;
    return c ? JSON.stringify([this.settings.backend, c.nLayer, c.nHead, c.nEmbd, c.blockSize, c.batchSize, c.replay, c.evalWindows, c.dropout]) : null;
  });

  duration = $derived.by((): DurationEstimate | null => {
    const t = this.probeTimes;
    const cfg = this.settings.resolved.cfg;
    if (!t || t.key !== this.probeKey || !cfg || !this.settings.ready) return null;
    const est = this.settings.estimate;
    let steps = 0;
    let seconds = 0;
    for (const r of this.plannedRuns) {
      const n = est[STREAM[r]];
      const every = evalInterval(cfg, n);
      const evals = Math.floor(n / every) + 2; // at the start, every `every` steps, and at the end
      steps += n;
      seconds += n * t.secondsPerStep + evals * 2 * t.secondsPerEval; // each validation scores X and Y
    }
    const seeds = Math.max(1, this.settings.seeds);
    steps *= seeds;
    seconds *= seeds;
    const limit = this.settings.minutes * 60;
    const capped = limit > 0 && limit < seconds;
    return { seconds: capped ? limit : seconds, capped, steps, runs: this.plannedRuns.length, backend: t.backend, secondsPerStep: t.secondsPerStep, secondsPerEval: t.secondsPerEval };
  });

  /** Probes the current settings' speed, unless a probe of them is done or under way, or training is. */
  async probeDuration(): Promise<void> {
    const key = this.probeKey;
    const cfg = this.settings.resolved.cfg;
    if (!key || !cfg || this.lab.busy || this.probing === key || this.probeTimes?.key === key) return;
    this.probing = key;
    this.probeError = null;
    try {
      const r = await this.lab.probe($state.snapshot(cfg) as typeof cfg, this.settings.backend, PROBE_STEPS);
      this.probeTimes = { key, backend: r.backend, secondsPerStep: r.secondsPerStep, secondsPerEval: r.secondsPerEval };
    } catch (e) {
      if (!this.lab.busy) this.probeError = message(e);
    } finally {
      if (this.probing === key) this.probing = null;
    }
  }

  /** The chart's view options (they live with the settings, which write them to the URL). */
  get plot(): Plot {
    return this.settings.plot;
  }

  /** The models to sample from: the worker's list, with the best first choice (x+y) on top. */
  sampleModel = $derived.by(() => {
    const ids = this.lab.models.map((m) => m.id);
    if (ids.includes(this.sampler.model)) return this.sampler.model;
    return ids.includes('xy') ? 'xy' : (ids[0] ?? '');
  });

  constructor(
    readonly lab: Lab,
    readonly settings: Settings,
    private readonly hadUrlSettings: boolean,
    private readonly kv: Kv = idbKv,
  ) {
    this.history = new HistoryStore(kv);
    lab.onSaved = (rec) => void this.recordSaved(rec);
  }

  /** On load: what backend is likely, the stored experiment (if any), then the data. */
  async boot(): Promise<void> {
    void probeGpu().then((p) => (this.probe = p));
    this.lab.prepare(this.settings.backend);
    let restored = false;
    try {
      restored = await this.lab.restore();
    } catch (e) {
      this.lab.errors = [...this.lab.errors, `could not read the stored experiment: ${message(e)}`];
    }
    const rec = this.lab.record;
    if (restored && rec) {
      this.restoredUnfinished = !rec.finished;
      // a link's settings win; otherwise show what the stored experiment ran
      if (!this.hadUrlSettings) this.settings.adopt(rec);
    }
    // the data: a link's pair; else what the Data section last showed (the user's own X and Y, kept until
    // replaced); else what the results on screen were trained on; else the default pair
    let draft: Awaited<ReturnType<typeof loadDraft>>;
    try {
      draft = await loadDraft(this.kv);
    } catch (e) {
      this.draftProblem = `your X and Y from the last visit could not be read: ${message(e)}`;
    }
    if (this.settings.linkedPair) await this.settings.choosePair(this.settings.pairId);
    else if (draft?.pairId) await this.settings.choosePair(draft.pairId);
    else if (draft?.x) this.settings.adoptData({ pairId: null, x: draft.x, y: draft.y });
    else if (restored && rec) this.settings.adoptData(rec);
    else await this.settings.choosePair(this.settings.pairId || PAGE_DEFAULTS.pair);
    this.settings.onDataChange = () => void this.keepDraft();
    await this.refreshHistory();
  }

  /** Keeps the Data section's choice in IndexedDB (the user's own bytes; a pair by its id). */
  private async keepDraft(): Promise<void> {
    const s = this.settings;
    const own = s.pairId === '';
    const src = (c: typeof s.x) => (own && c ? { label: c.label, bytes: c.bytes.slice().buffer as ArrayBuffer, origin: c.origin } : null);
    try {
      await saveDraft(this.kv, { pairId: s.pairId, x: src(s.x), y: src(s.y) });
      this.draftProblem = null;
    } catch (e) {
      this.draftProblem = `${storageWhy(e)}: your own X and Y will not survive a browser restart (they are still here, and training works).`;
    }
  }

  // ---- the history ---------------------------------------------------------------------------------

  /** Reads the history's list (and the browser's storage estimate). */
  async refreshHistory(): Promise<void> {
    try {
      this.entries = await this.history.list();
      this.historyProblem = null;
    } catch (e) {
      this.historyProblem = message(e);
    }
    await this.estimateStorage();
  }

  private async estimateStorage(): Promise<void> {
    try {
      const est = await navigator.storage?.estimate?.();
      if (est && est.usage !== undefined && est.quota !== undefined) this.storageEstimate = { usage: est.usage, quota: est.quota };
    } catch {
      // no estimate in this browser: the page's own count is shown alone
    }
  }

  /** A record was saved: its line in the history follows (and the cap applies). */
  private async recordSaved(rec: ExperimentRecord<ExperimentHistory>): Promise<void> {
    const mine = rec.id === this.lab.experimentId;
    const m = mine ? this.lab.models.find((x) => rec.runs.includes(x.id as RunName)) : undefined;
    try {
      const entry = await entryFromRecord(rec as ExperimentRecord, { checkpointBytes: mine ? this.lab.checkpointBytes : -1, model: m ? ($state.snapshot({ cfg: m.cfg, tokenizer: m.tokenizer }) as HistoryEntry['model']) : undefined });
      if (!m) entry.model = null; // keep the model the line already has
      this.entries = await this.history.upsert(entry, this.lab.experimentId);
      this.historyProblem = null;
    } catch (e) {
      this.historyProblem = e instanceof UserError ? message(e) : `the history could not be updated: ${storageWhy(e)}`;
    }
    void this.estimateStorage();
  }

  private async act(id: string, f: () => Promise<void>): Promise<void> {
    this.historyBusy = id;
    try {
      await f();
    } catch (e) {
      this.historyProblem = message(e);
    } finally {
      this.historyBusy = null;
    }
  }

  private async storedRecord(id: string): Promise<ExperimentRecord<ExperimentHistory>> {
    const rec = await loadExperiment<ExperimentHistory>(id);
    if (!rec) throw new Error('its curves were dropped to keep the history under its storage cap; only its line is left');
    return rec;
  }

  /** Shows a stored experiment: its curves and tables; resumable when it stopped early and has a checkpoint. */
  openExperiment(id: string): Promise<void> {
    return this.act(id, async () => {
      if (this.lab.busy) throw new Error('an experiment is training: pause or stop it before opening another');
      await this.storedRecord(id);
      if (!(await this.lab.restore(id))) return;
      const rec = this.lab.record!;
      // the user's own data stays on screen (nothing they made is lost): the Data section then says if it differs
      this.settings.adopt(rec, this.settings.pairId !== '');
      const e = this.entries.find((x) => x.id === id);
      this.restoredUnfinished = !rec.finished && (e?.checkpointBytes ?? 0) > 0;
      if (this.overlay?.id === id) this.overlay = null;
    });
  }

  renameExperiment(id: string, name: string): Promise<void> {
    return this.act(id, async () => {
      this.entries = await this.history.rename(id, name);
      if (this.overlay?.id === id) this.overlay = { ...this.overlay, label: entryLabel(this.entries.find((e) => e.id === id)!) };
    });
  }

  deleteExperiment(id: string): Promise<void> {
    return this.act(id, async () => {
      if (id === this.lab.experimentId) {
        if (this.lab.busy) throw new Error('this experiment is training: stop it before deleting it');
        this.restoredUnfinished = false;
        await this.lab.forget();
      }
      this.entries = await this.history.remove(id);
      if (this.overlay?.id === id) this.overlay = null;
      void this.estimateStorage();
    });
  }

  /** Draws a stored experiment's curves over the chart (null: none). */
  overlayExperiment(id: string | null): Promise<void> {
    if (id === null) {
      this.overlay = null;
      return Promise.resolve();
    }
    return this.act(id, async () => {
      const rec = await this.storedRecord(id);
      const e = this.entries.find((x) => x.id === id);
      this.overlay = { id, label: e ? entryLabel(e) : id, runs: runViewsOf(rec.history) };
    });
  }

  /** A JSON summary: what was trained on what (data identity), the config, and every run's final numbers. */
  exportSummary(id: string): Promise<void> {
    return this.act(id, async () => {
      const e = this.entries.find((x) => x.id === id);
      if (!e) throw new Error('that experiment is no longer in the history');
      const rec = await loadExperiment<ExperimentHistory>(id);
      const h = rec?.history;
      const json = {
        kxy: 'experiment summary',
        version: 1,
        ...e,
        config: rec?.cfg ?? null,
        summary: h?.summary ?? null,
        seedResults: h?.seedResults?.map((r) => ({ index: r.index, seed: r.seed, summary: r.summary })) ?? [],
        runs: h?.runs.map((r) => ({ name: r.name, step: r.step, totalSteps: r.totalSteps, tokens: r.tokens, val: r.val, code: r.code })) ?? [],
        note: rec ? undefined : 'the curves and full summary were dropped to keep the history under its storage cap: only the line is left',
      };
      const name = (e.name || `${e.pairId ?? 'own-data'}-${e.preset}-${new Date(e.createdAt).toISOString().slice(0, 16)}`).replace(/[^a-z0-9]+/gi, '-');
      download(`kxy-${name}.json`, JSON.stringify(json, null, 2), 'application/json');
    });
  }

  /** One run's weights as .safetensors: the live model when it is the experiment training here, else the
   *  stored checkpoint (read by the worker from IndexedDB). */
  exportWeights(id: string, run: string): Promise<void> {
    return this.act(id, async () => {
      const e = this.entries.find((x) => x.id === id);
      if (!e) throw new Error('that experiment is no longer in the history');
      const live = id === this.lab.experimentId && this.lab.models.some((m) => m.id === run);
      if (!live && !e.model) throw new Error("kxy did not keep this experiment's model shape and tokenizer (it was saved before kxy kept them, or stopped before its runs were planned), so its weights cannot be exported from storage");
      const { fileName, bytes } = live ? await this.lab.exportModel(run) : await this.lab.exportStored(id, run, e.model!);
      download(fileName, bytes, 'application/octet-stream');
    });
  }

  /** Trains every run (the control's c and c → y unless the control is 'none') with the current settings. */
  train(): void {
    const s = this.settings;
    const cfg = s.resolved.cfg;
    if (!cfg || !s.x || !s.y || !s.ready) return;
    this.restoredUnfinished = false;
    const copy = (b: Uint8Array) => b.slice().buffer as ArrayBuffer;
    this.lab.start({
      cfg,
      x: { label: s.x.label, bytes: copy(s.x.bytes) },
      y: { label: s.y.label, bytes: copy(s.y.bytes) },
      runs: this.plannedRuns,
      backend: s.backend,
      maxSeconds: Math.round(s.minutes * 60),
      pairId: s.pairId || null,
      initFrom: s.initFrom,
      control: s.control,
      seeds: s.seeds,
    });
  }

  resumeStored(): void {
    this.restoredUnfinished = false;
    this.lab.resumeStored();
  }

  async discardStored(): Promise<void> {
    this.restoredUnfinished = false;
    const id = this.lab.experimentId;
    await this.lab.forget();
    if (id) await this.act(id, async () => void (this.entries = await this.history.remove(id)));
  }

  async download(model: string): Promise<void> {
    this.exporting = model;
    this.exportError = null;
    try {
      const { fileName, bytes } = await this.lab.exportModel(model);
      download(fileName, bytes, 'application/octet-stream');
    } catch (e) {
      this.exportError = `export of ${model}: ${message(e)}`;
    } finally {
      this.exporting = null;
    }
  }

  async importFile(file: File): Promise<void> {
    this.importError = null;
    // refused from its size, before a byte is read: a huge drop must not freeze the tab
    if (file.size > MAX_MODEL_BYTES) {
      this.importError = `${file.name}: ${formatBytes(file.size)} is over the ${formatBytes(MAX_MODEL_BYTES)} limit for a model file`;
      return;
    }
    this.importing = true;
    try {
      const info = await this.lab.importModel(file.name, await file.arrayBuffer());
      this.imported = [...this.imported, info];
      this.sampler.model = info.id;
    } catch (e) {
      this.importError = `${file.name}: ${message(e)}`;
    } finally {
      this.importing = false;
    }
  }

  async sample(): Promise<void> {
    const sm = this.sampler;
    const model = this.sampleModel;
    if (!model) return;
    sm.busy = true;
    sm.error = null;
    try {
      const prompt = sm.prompt;
      sm.output = await this.lab.sample(model, prompt, { maxTokens: sm.maxTokens, temperature: sm.temperature, topK: sm.topK, seed: sm.seed });
      sm.outputPrompt = prompt;
    } catch (e) {
      sm.error = message(e);
    } finally {
      sm.busy = false;
    }
  }
}
