// The run colours and the line styles of the two sources: one definition used by the chart, the
// tables, the progress bars and the buttons (app.css mirrors the colours as --run-x, --run-y, --run-xy).

export type RunKey = 'x' | 'y' | 'xy';

export interface RunStyle {
  color: string; // lines, bars, chips
  ink: string; // text in the run's colour: darker, for contrast on white
  label: string; // how the run is named in the UI
  trains: string; // what it trains on, in words
}

// Okabe–Ito blue and vermillion; x+y is their mix, purple.
export const RUN_STYLE: Record<RunKey, RunStyle> = {
  x: { color: '#0072b2', ink: '#005a8c', label: 'x', trains: 'trained on X' },
  y: { color: '#d55e00', ink: '#a84a00', label: 'y', trains: 'trained on Y' },
  xy: { color: '#8e44ad', ink: '#70368a', label: 'x+y', trains: 'trained on X and Y interleaved' },
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
