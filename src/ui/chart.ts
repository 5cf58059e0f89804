// The bridge from the runs' curves to Chart.js: one line chart, one dataset per (run, measurement, source).
// Points are appended incrementally to plain arrays and drawn at most once per animation frame; Chart.js
// decimates long series (LTTB), so 3 runs × 20,000 points stay fluid.
import {
  Chart,
  Decimation,
  LineController,
  LineElement,
  LinearScale,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartDataset,
  type ScriptableContext,
  type TooltipItem,
} from 'chart.js';
import type { Curve, RunView, Unit, XAxis } from '../lib/runs.svelte.ts';
import { duration, short } from './format.ts';
import { SOURCE_STYLE, alpha, runStyle } from './theme.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Decimation, Tooltip);

export interface PlotOptions {
  unit: Unit;
  axis: XAxis;
  log: boolean;
  smooth: boolean;
  showCode: boolean;
  showTrain: boolean;
}

export const AXIS_LABEL: Record<XAxis, string> = {
  tokens: 'tokens seen by the run',
  tokensY: 'tokens of Y seen by the run',
  step: 'optimizer steps',
  time: 'wall time (min:s)',
};

export const UNIT_LABEL: Record<Unit, string> = { bpb: 'bits per byte', bpt: 'bits per token' };

type Kind = 'val' | 'code' | 'train';
type Point = { x: number; y: number };
type LineDataset = ChartDataset<'line', Point[]>;

interface Series {
  run: string;
  kind: Kind;
  source: string | null;
  curve: Curve; // the curve the points came from (a restore or a new experiment replaces it)
  n: number; // points of the curve consumed
  data: Point[]; // our reference to the full series: the decimation plugin keeps it as dataset._data
  ema: number;
  dataset: LineDataset;
}

const SMOOTHING = 0.8; // EMA weight of the past: TensorBoard's default is 0.6; our points are sparser per pixel
const MARKERS = 24; // at most this many markers per validation line

export class LiveChart {
  private readonly chart: Chart<'line', Point[]>;
  private readonly series = new Map<string, Series>();
  private runs: RunView[] = [];
  private opts: PlotOptions;
  private optsKey = '';
  private frame = 0;

  /** `onDraw` gets the number of datasets holding at least one point, after every redraw. */
  constructor(
    canvas: HTMLCanvasElement,
    opts: PlotOptions,
    private readonly onDraw: (seriesWithPoints: number) => void,
  ) {
    this.opts = { ...opts };
    this.chart = new Chart<'line', Point[]>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        parsing: false,
        normalized: false,
        responsive: true,
        maintainAspectRatio: false,
        spanGaps: true, // faster line drawing; our series have no gaps
        interaction: { mode: 'nearest', intersect: false, axis: 'xy' },
        layout: { padding: { top: 4, right: 8 } },
        scales: {
          x: { type: 'linear', min: 0, ticks: { maxTicksLimit: 8, callback: (v) => this.formatX(Number(v)) }, title: { display: true, text: '' }, grid: { color: '#eef0f3' } },
          y: { type: 'linear', ticks: { maxTicksLimit: 8 }, title: { display: true, text: '' }, grid: { color: '#eef0f3' } },
        },
        plugins: {
          decimation: { enabled: true, algorithm: 'lttb', samples: 600, threshold: 1200 },
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => (items.length ? `${AXIS_LABEL[this.opts.axis]}: ${this.formatX(items[0].parsed.x ?? 0)}` : ''),
              label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${(item.parsed.y ?? NaN).toFixed(3)}`,
            },
          },
        },
      },
    });
    this.applyOptions();
  }

  /** New data or options: redraws on the next animation frame (several calls in one frame draw once). */
  update(runs: RunView[], opts: PlotOptions): void {
    this.runs = runs;
    this.opts = { ...opts };
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.chart.destroy();
  }

  private formatX(v: number): string {
    return this.opts.axis === 'time' ? duration(v) : this.opts.axis === 'step' ? short(v) : short(v);
  }

  private applyOptions(): void {
    const o = this.opts;
    const s = this.chart.options.scales!;
    const x = s.x as { title: { text: string } };
    x.title.text = AXIS_LABEL[o.axis];
    const y = s.y as { type: string; title: { text: string } };
    y.type = o.log ? 'logarithmic' : 'linear';
    y.title.text = `${UNIT_LABEL[o.unit]}${o.log ? ' (log scale)' : ''}${o.smooth ? ', smoothed' : ''}`;
  }

  /** Whether a series is drawn under the current options (hidden ones get no points: cheaper, and counted right). */
  private visible(run: string, kind: Kind): boolean {
    if (kind === 'code' && !this.opts.showCode) return false;
    if (kind === 'train' && !this.opts.showTrain) return false;
    if (this.opts.axis === 'tokensY' && run === 'x') return false; // run x never sees Y
    return true;
  }

  private makeDataset(run: string, kind: Kind, source: string | null): LineDataset {
    const rs = runStyle(run);
    const src = source === 'Y' ? SOURCE_STYLE.Y : SOURCE_STYLE.X;
    const what = kind === 'val' ? `validation on ${source}` : kind === 'code' ? `code so far on ${source}` : 'training loss';
    const base: LineDataset = { label: `${rs.label} · ${what}`, data: [], borderColor: rs.color, backgroundColor: rs.color, pointRadius: 0, pointHoverRadius: 4, indexAxis: 'x' };
    if (kind === 'train') return { ...base, borderColor: alpha(rs.color, 0.3), backgroundColor: alpha(rs.color, 0.3), borderWidth: 1.25, order: 3 };
    if (kind === 'code') return { ...base, borderColor: alpha(rs.color, 0.8), borderWidth: 1.5, borderDash: src.codeDash, order: 2 };
    return {
      ...base,
      borderWidth: src.width,
      order: source === 'X' ? 1 : 0,
      pointStyle: src.point,
      pointBackgroundColor: src.hollow ? '#ffffff' : rs.color,
      pointBorderColor: rs.color,
      pointBorderWidth: 1.5,
      // a marker every few points: enough to tell X from Y without cluttering long runs
      pointRadius: (ctx: ScriptableContext<'line'>) => {
        const n = (ctx.dataset.data as Point[]).length;
        const every = Math.max(1, Math.ceil(n / MARKERS));
        return ctx.dataIndex % every === 0 || ctx.dataIndex === n - 1 ? src.pointRadius : 0;
      },
    };
  }

  private draw(): void {
    const key = JSON.stringify(this.opts);
    const optsChanged = key !== this.optsKey;
    this.optsKey = key;
    if (optsChanged) this.applyOptions();
    const o = this.opts;
    const xcol = o.axis;
    const ycol = o.unit;
    const live = new Set<string>();
    let structure = false;

    const consume = (run: string, kind: Kind, source: string | null, curve: Curve) => {
      const id = `${run}|${kind}|${source ?? ''}`;
      live.add(id);
      let s = this.series.get(id);
      if (!s) {
        const dataset = this.makeDataset(run, kind, source);
        s = { run, kind, source, curve, n: 0, data: dataset.data, ema: NaN, dataset };
        this.series.set(id, s);
        this.chart.data.datasets.push(dataset);
        structure = true;
      }
      const show = this.visible(run, kind);
      if (optsChanged || s.curve !== curve || curve.length < s.n || !show) {
        // start over: new options, a replaced curve, or one cut back by a resume
        s.data.length = 0;
        s.n = 0;
        s.ema = NaN;
        s.curve = curve;
      }
      s.dataset.hidden = !show;
      if (!show) return;
      const xs = curve.cols[xcol];
      const ys = curve.cols[ycol];
      for (let i = s.n; i < curve.length; i++) {
        let y = ys[i];
        if (!Number.isFinite(y)) continue;
        if (o.smooth) y = s.ema = Number.isNaN(s.ema) ? y : SMOOTHING * s.ema + (1 - SMOOTHING) * y;
        s.data.push({ x: xs[i], y });
      }
      s.n = curve.length;
    };

    for (const r of this.runs) {
      consume(r.name, 'train', null, r.curves.train);
      for (const [src, c] of Object.entries(r.curves.val)) consume(r.name, 'val', src, c);
      for (const [src, c] of Object.entries(r.curves.code)) consume(r.name, 'code', src, c);
    }
    // series of runs that are gone (a new experiment): drop their datasets
    for (const [id, s] of this.series) {
      if (live.has(id)) continue;
      this.series.delete(id);
      const i = this.chart.data.datasets.indexOf(s.dataset);
      if (i >= 0) this.chart.data.datasets.splice(i, 1);
      structure = true;
    }
    void structure;
    this.chart.update('none');
    let withPoints = 0;
    for (const s of this.series.values()) if (s.data.length > 0) withPoints++;
    this.onDraw(withPoints);
  }
}
