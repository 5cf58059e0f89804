// The page's own state around the Lab: the chart's view options, the sampler, import/export, the backend
// probe, and the actions the buttons call (start, restore on load, download). Components only render it.
import { RUN_NAMES, evalInterval, type RunName } from '../lib/config.ts';
import { formatBytes } from '../lib/data/inputs.ts';
import { MAX_MODEL_BYTES } from '../lib/io/limits.ts';
import type { Lab } from '../app/runs.svelte.ts';
import type { ModelInfo } from '../worker/protocol.ts';
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

export class Page {
  readonly sampler = new Sampler();
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
  ) {}

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
      if (!this.hadUrlSettings) {
        this.settings.adopt(rec);
        return;
      }
    }
    await this.settings.choosePair(this.settings.pairId || PAGE_DEFAULTS.pair);
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
    await this.lab.forget();
  }

  async download(model: string): Promise<void> {
    this.exporting = model;
    this.exportError = null;
    try {
      const { fileName, bytes } = await this.lab.exportModel(model);
      const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
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
