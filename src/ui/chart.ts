// The bridge from the runs' curves to Chart.js: one line chart, one dataset per (run, measurement, source).
// Points are appended incrementally and drawn at most once per animation frame; each series is thinned as
// it grows (min/max buckets, src/ui/thin.ts), so 3 runs × 20,000 points stay fluid. A second experiment from
// the history may be overlaid: its validation (and code) curves, dashed and fainter, named in every tooltip.
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
  type Plugin,
  type TooltipItem,
} from 'chart.js';
import type { Curve, RunView, Unit, XAxis } from '../app/runs.svelte.ts';
import { duration, int, short } from './format.ts';
import { SOURCE_STYLE, alpha, runStyle } from './theme.ts';
import { MinMaxThinner, type Point } from './thin.ts';
import { logTicks } from './ticks.ts';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, Decimation, Tooltip);

const SMOOTHING = 0.8; // EMA weight of the past, for training loss only: TensorBoard's default is 0.6; our points are sparser per pixel
const MARKERS = 24; // at most this many markers per validation line
const MIN_INTERVAL_MS = 150; // new points redraw at most ~6 times a second: curves still move smoothly
const MAX_POINTS = 2000; // per series: about two per pixel of a wide chart

type Marker = (typeof SOURCE_STYLE)['X' | 'Y'];
const markerOf = new WeakMap<object, Marker>(); // validation datasets → their source's marker

/** Markers on the validation lines, a few per line. Chart.js's own point markers resolve their options
 *  point by point on every update, which costs more than the lines themselves on long runs. */
const markers: Plugin<'line'> = {
  id: 'kxyMarkers',
  afterDatasetsDraw(chart) {
    const { ctx, chartArea } = chart;
    ctx.save();
    ctx.beginPath();
    ctx.rect(chartArea.left - 5, chartArea.top - 5, chartArea.width + 10, chartArea.height + 10);
    ctx.clip();
    chart.data.datasets.forEach((ds, i) => {
      const m = markerOf.get(ds);
      if (!m || !chart.isDatasetVisible(i)) return;
      const pts = chart.getDatasetMeta(i).data;
      const n = pts.length;
      const every = Math.max(1, Math.ceil(n / MARKERS));
      const color = String(ds.borderColor);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = color;
      ctx.fillStyle = m.hollow ? '#ffffff' : color;
      for (let j = 0; j < n; j++) {
        if (j % every !== 0 && j !== n - 1) continue;
        const { x, y } = pts[j];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        const r = m.pointRadius;
        ctx.beginPath();
        if (m.point === 'circle') ctx.arc(x, y, r, 0, 2 * Math.PI);
        else {
          ctx.moveTo(x, y - r);
          ctx.lineTo(x + r * 0.95, y + r * 0.6);
          ctx.lineTo(x - r * 0.95, y + r * 0.6);
          ctx.closePath();
        }
        ctx.fill();
        ctx.stroke();
      }
    });
    ctx.restore();
  },
};

export interface PlotOptions {
  unit: Unit;
  axis: XAxis;
  log: boolean;
  smooth: boolean; // training loss only: validation and code lengths are drawn as measured
  showCode: boolean;
  showTrain: boolean;
}

export const AXIS_LABEL: Record<XAxis, string> = {
  tokens: 'tokens seen by the run',
  tokensY: 'tokens of Y seen by the run',
  step: 'optimizer steps',
  time: 'wall time',
};

export const UNIT_LABEL: Record<Unit, string> = { bpb: 'bits per byte', bpt: 'bits per token' };
const UNIT_SHORT: Record<Unit, string> = { bpb: 'bits/byte', bpt: 'bits/token' };

/** An x value with its unit, for the tooltip's title. */
function xWithUnit(axis: XAxis, v: number): string {
  if (axis === 'step') return `step ${int(v)}`;
  if (axis === 'time') return v < 60 ? `${v.toFixed(1)} s of training` : `${duration(v)} (${v >= 3600 ? 'h:min:s' : 'min:s'}) of training`;
  return `${int(v)} ${AXIS_LABEL[axis]}`;
}

type Kind = 'val' | 'code' | 'train';
type LineDataset = ChartDataset<'line', Point[]>;

/** A stored experiment drawn over the one on screen. */
export interface ChartOverlay {
  label: string;
  runs: RunView[];
}

const OVERLAY_DASH = [7, 4];

interface Series {
  overlay: string | null; // the overlaid experiment's label; null for the experiment on screen
  run: string;
  kind: Kind;
  source: string | null;
  curve: Curve; // the curve the points came from (a restore or a new experiment replaces it)
  n: number; // points of the curve consumed
  thin: MinMaxThinner; // what is drawn: its points are the dataset's data
  ema: number;
  dataset: LineDataset;
}

export class LiveChart {
  private readonly chart: Chart<'line', Point[]>;
  private readonly series = new Map<string, Series>();
  private runs: RunView[] = [];
  private overlay: ChartOverlay | null = null;
  private opts: PlotOptions;
  private optsKey = '';
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastCost = 0; // ms the last redraw took
  private lastEnd = 0;

  /** `onDraw` gets the number of datasets holding at least one point, after every redraw. */
  constructor(
    canvas: HTMLCanvasElement,
    opts: PlotOptions,
    private readonly onDraw: (seriesWithPoints: number) => void,
  ) {
    this.opts = { ...opts };
    // a CPU-backed canvas: a GPU-accelerated one commits each frame through the GPU process, which costs the
    // main thread 40+ ms per redraw where that GPU is software (SwiftShader); a line chart rasters fast on the CPU
    const ctx = canvas.getContext('2d', { willReadFrequently: true }) ?? canvas;
    this.chart = new Chart<'line', Point[]>(ctx, {
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
          y: {
            type: 'linear',
            ticks: { maxTicksLimit: 8, callback: (v) => `${+Number(v).toPrecision(4)}` },
            // round log ticks (5, 6, 8), not Chart.js's 1…9 per decade, which crowd a narrow range
            afterBuildTicks: (scale) => {
              if (this.opts.log) scale.ticks = logTicks(scale.min, scale.max).map((value) => ({ value }));
            },
            title: { display: true, text: '' },
            grid: { color: '#eef0f3' },
          },
        },
        plugins: {
          // a few hundred points per line: rasterising the lines costs more than thinning them
          decimation: { enabled: true, algorithm: 'lttb', samples: 250, threshold: 500 },
          legend: { display: false },
          tooltip: {
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => (items.length ? xWithUnit(this.opts.axis, items[0].parsed.x ?? 0) : ''),
              label: (item: TooltipItem<'line'>) => `${item.dataset.label}: ${(item.parsed.y ?? NaN).toFixed(3)} ${UNIT_SHORT[this.opts.unit]}`,
            },
          },
        },
      },
      plugins: [markers],
    });
    this.applyOptions();
    this.warmUp();
  }

  /** New data or options: redraws on an animation frame. New options redraw at once; new points wait until
   *  MIN_INTERVAL_MS after the last redraw, and at least twice as long as it took, so the chart never takes
   *  more than a third of the main thread. */
  update(runs: RunView[], opts: PlotOptions, overlay: ChartOverlay | null = null): void {
    this.runs = runs;
    const urgent = JSON.stringify(opts) !== JSON.stringify(this.opts) || overlay !== this.overlay;
    this.overlay = overlay;
    this.opts = { ...opts };
    if (this.frame) return;
    if (this.timer && !urgent) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const wait = urgent ? 0 : Math.max(this.lastEnd + MIN_INTERVAL_MS, this.lastEnd + 2 * this.lastCost) - performance.now();
    const schedule = () => {
      this.timer = null;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        const t0 = performance.now();
        this.draw();
        this.lastEnd = performance.now();
        this.lastCost = this.lastEnd - t0;
      });
    };
    if (wait > 4) this.timer = setTimeout(schedule, wait);
    else schedule();
  }

  /** Draws a throwaway series once while the page is idle: the first draw with data runs Chart.js's code
   *  cold (50 ms here), and would otherwise land on the first validation of a training run. */
  private warmUp(): void {
    const ds = this.makeDataset('xy', 'val', 'Y');
    ds.data = [{ x: 0, y: 8 }, { x: 1, y: 4 }, { x: 2, y: 3 }];
    this.chart.data.datasets.push(ds);
    this.chart.update('none');
    this.chart.data.datasets.pop();
    this.chart.update('none');
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.frame) cancelAnimationFrame(this.frame);
    this.chart.destroy();
  }

  private formatX(v: number): string {
    if (this.opts.axis !== 'time') return short(v);
    return v < 60 ? `${+v.toFixed(v < 10 ? 1 : 0)} s` : duration(v);
  }

  private applyOptions(): void {
    const o = this.opts;
    const s = this.chart.options.scales!;
    const x = s.x as { title: { text: string } };
    x.title.text = AXIS_LABEL[o.axis];
    const y = s.y as { type: string; title: { text: string } };
    y.type = o.log ? 'logarithmic' : 'linear';
    y.title.text = `${UNIT_LABEL[o.unit]}${o.log ? ' (log scale)' : ''}`;
  }

  /** Whether a series is drawn under the current options (hidden ones get no points: cheaper, and counted right). */
  private visible(run: string, kind: Kind): boolean {
    if (kind === 'code' && !this.opts.showCode) return false;
    if (kind === 'train' && !this.opts.showTrain) return false;
    if (this.opts.axis === 'tokensY' && (run === 'x' || run === 'c' || run === 'y2x')) return false; // these never see Y
    return true;
  }

  /** The series' name in the tooltip; smoothing is named where it applies (training loss only). */
  private label(run: string, kind: Kind, source: string | null, overlay: string | null = null): string {
    const what = kind === 'val' ? `validation on ${source}` : kind === 'code' ? `code so far on ${source}` : this.opts.smooth ? 'training loss, smoothed' : 'training loss';
    return `${overlay ? `overlay “${overlay}” · ` : ''}${runStyle(run).label} · ${what}`;
  }

  private makeDataset(run: string, kind: Kind, source: string | null, overlay: string | null = null): LineDataset {
    const rs = runStyle(run);
    const src = source === 'Y' ? SOURCE_STYLE.Y : SOURCE_STYLE.X;
    const base: LineDataset = { label: this.label(run, kind, source, overlay), data: [], borderColor: rs.color, backgroundColor: rs.color, pointRadius: 0, pointHoverRadius: 4, indexAxis: 'x' };
    // the overlaid experiment: dashed and fainter, no markers, under the lines on screen
    if (overlay !== null) return { ...base, borderColor: alpha(rs.color, kind === 'val' ? 0.75 : 0.5), borderWidth: kind === 'val' ? 2 : 1.25, borderDash: kind === 'val' ? OVERLAY_DASH : [2, 3], order: 4 };
    if (kind === 'train') return { ...base, borderColor: alpha(rs.color, 0.4), backgroundColor: alpha(rs.color, 0.4), borderWidth: 1.25, order: 3 };
    if (kind === 'code') return { ...base, borderColor: alpha(rs.color, 0.8), borderWidth: 1.5, borderDash: src.codeDash, order: 2 };
    const ds: LineDataset = { ...base, borderWidth: src.width, order: source === 'X' ? 1 : 0, pointStyle: src.point };
    markerOf.set(ds, src);
    return ds;
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

    const consume = (run: string, kind: Kind, source: string | null, curve: Curve, overlay: string | null = null) => {
      const id = `${overlay === null ? '' : 'overlay|'}${run}|${kind}|${source ?? ''}`;
      live.add(id);
      let s = this.series.get(id);
      if (s && s.overlay !== overlay) {
        // another experiment overlaid: a new dataset, with its own name
        this.chart.data.datasets.splice(this.chart.data.datasets.indexOf(s.dataset), 1);
        this.series.delete(id);
        s = undefined;
      }
      if (!s) {
        const dataset = this.makeDataset(run, kind, source, overlay);
        const thin = new MinMaxThinner(MAX_POINTS);
        dataset.data = thin.points;
        s = { overlay, run, kind, source, curve, n: 0, thin, ema: NaN, dataset };
        this.series.set(id, s);
        this.chart.data.datasets.push(dataset);
      }
      const show = this.visible(run, kind);
      if (optsChanged || s.curve !== curve || curve.length < s.n || !show) {
        // start over: new options, a replaced curve, or one cut back by a resume
        s.thin.clear();
        s.n = 0;
        s.ema = NaN;
        s.curve = curve;
      }
      s.dataset.hidden = !show;
      if (optsChanged) s.dataset.label = this.label(run, kind, source, overlay);
      if (!show) return;
      const smooth = o.smooth && kind === 'train';
      const xs = curve.cols[xcol];
      const ys = curve.cols[ycol];
      for (let i = s.n; i < curve.length; i++) {
        let y = ys[i];
        if (!Number.isFinite(y)) continue;
        if (smooth) y = s.ema = Number.isNaN(s.ema) ? y : SMOOTHING * s.ema + (1 - SMOOTHING) * y;
        s.thin.push({ x: xs[i], y });
      }
      s.thin.show();
      s.n = curve.length;
    };

    for (const r of this.runs) {
      consume(r.name, 'train', null, r.curves.train);
      for (const [src, c] of Object.entries(r.curves.val)) consume(r.name, 'val', src, c);
      for (const [src, c] of Object.entries(r.curves.code)) consume(r.name, 'code', src, c);
    }
    const ov = this.overlay;
    if (ov) {
      for (const r of ov.runs) {
        for (const [src, c] of Object.entries(r.curves.val)) consume(r.name, 'val', src, c, ov.label);
        for (const [src, c] of Object.entries(r.curves.code)) consume(r.name, 'code', src, c, ov.label);
      }
    }
    // series of runs that are gone (a new experiment): drop their datasets
    for (const [id, s] of this.series) {
      if (live.has(id)) continue;
      this.series.delete(id);
      const i = this.chart.data.datasets.indexOf(s.dataset);
      if (i >= 0) this.chart.data.datasets.splice(i, 1);
    }
    this.chart.update('none');
    let withPoints = 0;
    for (const s of this.series.values()) if (s.thin.points.length > 0) withPoints++;
    this.onDraw(withPoints);
  }
}
