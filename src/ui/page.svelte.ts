// The page's own state around the Lab: the chart's view options, the sampler, import/export, the backend
// probe, and the actions the buttons call (start, restore on load, download). Components only render it.
import { RUN_NAMES } from '../lib/config.ts';
import { formatBytes } from '../lib/data/inputs.ts';
import { MAX_MODEL_BYTES } from '../lib/io/limits.ts';
import type { Lab } from '../app/runs.svelte.ts';
import type { ModelInfo } from '../worker/protocol.ts';
import { probeGpu, type GpuProbe } from './probe.ts';
import { PAGE_DEFAULTS, type Plot, type Settings } from './settings.svelte.ts';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

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
      const text = b.adapter ? `${b.name} · ${b.adapter}` : why ? `${b.name} (${why})` : b.name;
      const what = training ? 'training on' : st === 'paused' ? 'paused on' : 'ready:';
      return { what, text, title: b.note, live: training };
    }
    if (choice !== 'auto') return { what: 'backend', text: `${choice} (starts with training)`, title: `you chose ${choice}`, live: false };
    const p = this.probe;
    if (!p) return { what: 'backend', text: 'checking WebGPU…', title: '', live: false };
    if (p.adapter && !p.software) return { what: 'backend', text: `webgpu · ${p.adapter}`, title: `auto will use ${p.reason}`, live: false };
    return { what: 'backend', text: `wasm (${p.reason})`, title: 'auto uses WebGPU only on a hardware adapter, else wasm', live: false };
  });

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
      runs: RUN_NAMES.filter((r) => s.control !== 'none' || (r !== 'c' && r !== 'c2y')),
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
