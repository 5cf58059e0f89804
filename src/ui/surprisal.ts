// What the map of where X helped Y shows: the colour of each character (diverging: bits saved against bits
// spent extra), the legend's scale in bits, the headline totals, and one character's details. No DOM.
import { totalBits, type SurprisalMap } from '../lib/metrics/surprisal.ts';

// Diverging, colour-blind safe (ColorBrewer's PuOr ends): blue-purple where X saved bits, orange where it cost
// bits. Mixed with white at most MAX_MIX, so dark text on any shade keeps a contrast above 4.5:1.
const HELPED = [84, 39, 136];
const HURT = [179, 88, 6];
const MAX_MIX = 0.6;

/** bits saved per character: alone − given (positive: X helped) */
export function savedBits(map: SurprisalMap): Float64Array {
  return map.bitsAlone.map((a, i) => a - map.bitsGiven[i]);
}

/** The legend's full scale in bits: the 95th percentile of |saved|, rounded up to 1, 2 or 5 × 10^k. */
export function scaleBits(saved: Float64Array): number {
  if (saved.length === 0) return 1;
  const abs = Float64Array.from(saved, Math.abs).sort();
  const p = abs[Math.min(abs.length - 1, Math.floor(0.95 * abs.length))];
  if (!(p > 0)) return 1;
  const k = Math.pow(10, Math.floor(Math.log10(p)));
  for (const m of [1, 2, 5, 10]) if (p <= m * k) return m * k;
  return 10 * k;
}

/** The background of a character that saved `bits` (negative: cost), on a scale of ±`scale` bits. */
export function shade(bits: number, scale: number): string {
  const t = Math.min(1, Math.abs(bits) / scale) * MAX_MIX;
  const base = bits >= 0 ? HELPED : HURT;
  const [r, g, b] = base.map((c) => Math.round(255 + (c - 255) * t));
  return `rgb(${r}, ${g}, ${b})`;
}

/** The legend: a gradient from −scale to +scale, and its labelled ticks. */
export function legend(scale: number): { gradient: string; ticks: { at: number; label: string }[] } {
  const stops = [-1, -0.5, 0, 0.5, 1].map((f) => `${shade(f * scale, scale)} ${((f + 1) / 2) * 100}%`);
  const fmt = (v: number) => (v === 0 ? '0' : `${v > 0 ? '+' : '−'}${+Math.abs(v).toPrecision(2)}`);
  return { gradient: `linear-gradient(to right, ${stops.join(', ')})`, ticks: [-1, -0.5, 0, 0.5, 1].map((f) => ({ at: (f + 1) / 2, label: fmt(f * scale) })) };
}

export interface MapTotals {
  chars: number;
  bytes: number;
  bitsAlone: number; // bits
  bitsGiven: number; // bits
  saved: number; // bits
  fraction: number; // of bitsAlone
}

export function totals(map: SurprisalMap): MapTotals {
  const a = totalBits(map.bitsAlone);
  const g = totalBits(map.bitsGiven);
  const bytes = map.bytes.reduce((s, b) => s + b, 0);
  return { chars: map.bitsAlone.length, bytes, bitsAlone: a, bitsGiven: g, saved: a - g, fraction: a > 0 ? (a - g) / a : 0 };
}

/** How a character reads in the map: a newline as ↵ (then the break), a tab as →. */
export function glyph(ch: string): string {
  return ch === '\n' ? '↵\n' : ch === '\t' ? '→' : ch === '\r' ? '' : ch;
}

/** A character's name for the details line: visible ones quoted, the others by name. */
export function charName(ch: string): string {
  const named: Record<string, string> = { '\n': 'newline', '\t': 'tab', ' ': 'space', '\r': 'carriage return', '\uFFFD': 'a byte that is not UTF-8' };
  return named[ch] ?? `“${ch}”`;
}

/** A probability, from bits: p = 2^−bits, as a percentage with useful digits. */
export function probability(bits: number): string {
  const p = Math.pow(2, -bits);
  if (p >= 0.1) return `${(p * 100).toFixed(1)}%`;
  if (p >= 0.001) return `${(p * 100).toFixed(2)}%`;
  return p.toExponential(1);
}
