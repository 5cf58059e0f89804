// Number formatting for the page: grouped integers, short token counts, sizes, durations and bits.
// One place, so a number reads the same in the chart, the tables and the progress rows.

const grouped = new Intl.NumberFormat('en-US');

/** 110078 → "110,078" */
export const int = (n: number): string => (Number.isFinite(n) ? grouped.format(Math.round(n)).replace('-', '−') : '–');

/** 1234567 → "1.23M", 12345 → "12.3k" */
export function short(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const a = Math.abs(n);
  if (a >= 1e9) return `${+(n / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${+(n / 1e3).toPrecision(3)}k`;
  return `${+n.toPrecision(3)}`;
}

/** Decimal sizes (kB = 1000 bytes), as compressors report them. */
export function size(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const a = Math.abs(bytes);
  if (a >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (a >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

/** 3.14159 → "3.142" */
export const fixed = (n: number | null | undefined, digits = 3): string => (n === null || n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits));

/** 0.1234 → "12.3%" (with a sign when asked) */
export function percent(f: number, signed = false): string {
  if (!Number.isFinite(f)) return '–';
  const s = (f * 100).toFixed(1).replace('-', '−');
  return signed && f > 0 ? `+${s}%` : `${s}%`;
}

/** seconds → "1:05" or "1:02:03" */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.floor(seconds % 60);
  const m = Math.floor(seconds / 60) % 60;
  const h = Math.floor(seconds / 3600);
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
