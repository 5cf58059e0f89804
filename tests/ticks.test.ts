// The chart's log-scale ticks: round values, 1-2-5 where the range allows, never crowded.
import { describe, expect, it } from 'vitest';
import { logTicks } from '../src/ui/ticks.ts';

const sigDigits = (v: number) => String(v).replace(/^0\.0*|\./g, '').replace(/0+$/, '').length;

describe('log-scale ticks', () => {
  it('use 1-2-5 when the range spans enough of a decade', () => {
    expect(logTicks(1, 10)).toEqual([1, 2, 5, 10]);
    expect(logTicks(0.5, 100)).toEqual([0.5, 1, 2, 5, 10, 20, 50, 100]);
    expect(logTicks(0.8, 9)).toEqual([1, 2, 5]);
  });

  it('use a few round values in a narrow range (bits per byte from 4.5 to 9), not 4.5, 4.7, 4.9, 5.5, 7, 9', () => {
    expect(logTicks(4.5, 9)).toEqual([5, 6, 8]);
    expect(logTicks(3.5, 9)).toEqual([4, 5, 6, 8]);
    expect(logTicks(4.4, 4.9)).toEqual([4.4, 4.5, 4.6, 4.7, 4.8, 4.9]);
  });

  it('always give between 3 and 8 round, increasing ticks inside the range', () => {
    for (const [lo, hi] of [[0.01, 1000], [1.9, 2.1], [2.2, 8.4], [0.6275, 8], [0.3, 0.9], [7.99, 8.01], [1e-3, 1e6]]) {
      const t = logTicks(lo, hi);
      expect(t.length, `${lo}–${hi}: ${t}`).toBeGreaterThanOrEqual(3);
      expect(t.length, `${lo}–${hi}: ${t}`).toBeLessThanOrEqual(8);
      for (let i = 0; i < t.length; i++) {
        expect(t[i]).toBeGreaterThanOrEqual(lo * (1 - 1e-9));
        expect(t[i]).toBeLessThanOrEqual(hi * (1 + 1e-9));
        expect(sigDigits(t[i]), String(t[i])).toBeLessThanOrEqual(3);
        if (i > 0) expect(t[i]).toBeGreaterThan(t[i - 1]);
      }
    }
  });

  it('give nothing for a range a log scale cannot show', () => {
    expect(logTicks(0, 5)).toEqual([]);
    expect(logTicks(5, 5)).toEqual([]);
    expect(logTicks(NaN, 5)).toEqual([]);
  });
});
