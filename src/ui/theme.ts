// The run colours and the line styles of the two sources: one definition used by the chart, the
// tables, the progress bars and the buttons (app.css mirrors the colours as --run-x, --run-y, --run-xy).
import type { RunName } from '../lib/config.ts';

export type RunKey = 'x' | 'y' | 'xy'; // the runs that start from the shared initial weights and train on the data


export interface RunStyle {
  color: string; // lines, bars, chips
  ink: string; // text in the run's colour: darker, for contrast on white
  label: string; // how the run is named in the UI
  trains: string; // what it trains on, in words
}

// Okabe–Ito blue and vermillion; x+y is their mix, purple. The runs that start from another: x → y green
// (the headline), c → y orange beside it, y → x pink; the control c grey.
export const RUN_STYLE: Record<RunName, RunStyle> = {
  x: { color: '#0072b2', ink: '#005a8c', label: 'x', trains: 'trained on X' },
  y: { color: '#d55e00', ink: '#a84a00', label: 'y', trains: 'trained on Y' },
  xy: { color: '#8e44ad', ink: '#70368a', label: 'x+y', trains: 'trained on X and Y interleaved: learning both at once' },
  x2y: { color: '#009e73', ink: '#00704f', label: 'x → y', trains: "started from x's final weights, then trained on Y exactly as y: learning X first" },
  y2x: { color: '#cc79a7', ink: '#9c4c7a', label: 'y → x', trains: "started from y's final weights, then trained on X exactly as x" },
  c: { color: '#8a8f98', ink: '#555a63', label: 'c', trains: 'trained on the control text C exactly as x on X' },
  c2y: { color: '#e69f00', ink: '#8f6200', label: 'c → y', trains: "started from c's final weights, then trained on Y exactly as y: the control" },
};

export const runStyle = (name: string): RunStyle => RUN_STYLE[name as RunKey] ?? { color: '#555', ink: '#333', label: name, trains: '' };

/** Colour with alpha, from #rrggbb. */
export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

// Sources: validation on X is a thick line with round markers, on Y a thinner one with hollow triangles.
export const SOURCE_STYLE = {
  X: { width: 2.75, point: 'circle' as const, pointRadius: 3, hollow: false, codeDash: [7, 4] },
  Y: { width: 1.75, point: 'triangle' as const, pointRadius: 4, hollow: true, codeDash: [2, 3] },
};
