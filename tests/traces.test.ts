// The crossover chart's arithmetic on hand-made curves: sampling a trace's running total, reading a curve
// between its points, the seeds' min–max band, and where a learner's code drops below gzip's for good.
import { describe, expect, it } from 'vitest';
import { band, overtakes, sampleCumulative, valueAt } from '../src/app/traces.ts';

describe('cumulative curves', () => {
  it('samples a running total evenly by window, always keeping the last point', () => {
    const t = { bits: [8, 8, 8, 8, 8], bytes: [2, 2, 2, 2, 2], tokens: [2, 2, 2, 2, 2] };
    expect(sampleCumulative(t, 100)).toEqual({ bytes: [2, 4, 6, 8, 10], bits: [8, 16, 24, 32, 40] });
    expect(sampleCumulative(t, 2)).toEqual({ bytes: [6, 10], bits: [24, 40] }); // every 3rd window, then the end
    expect(sampleCumulative({ bits: [], bytes: [], tokens: [] })).toEqual({ bytes: [], bits: [] });
  });

  it('reads a curve linearly between its points and from the origin, and not past its end', () => {
    const c = { bytes: [10, 20], bits: [50, 70] };
    expect(valueAt(c, 5)).toBe(25);
    expect(valueAt(c, 10)).toBe(50);
    expect(valueAt(c, 15)).toBe(60);
    expect(valueAt(c, 20)).toBe(70);
    expect(valueAt(c, 21)).toBeNaN();
  });

  it('bands the seeds over the bytes all of them cover', () => {
    const b = band([{ bytes: [10, 20], bits: [10, 20] }, { bytes: [10, 40], bits: [30, 60] }], 2)!;
    expect(b.bytes).toEqual([10, 20]);
    expect(b.lo).toEqual([10, 20]);
    expect(b.hi).toEqual([30, 40]); // the second seed at 20 bytes: 30 + (60 − 30) · 10/30
    expect(band([{ bytes: [1], bits: [1] }])).toBeNull(); // one seed: no band
  });

  it('finds where a code drops below the baseline for good, or says it has not', () => {
    const gzip = { bytes: [100, 200, 300, 400], bits: [300, 600, 900, 1200] }; // 3 bits/byte
    // above gzip up to 200 bytes, below from 300 on
    expect(overtakes({ bytes: [100, 200, 300, 400], bits: [500, 700, 800, 900] }, gzip)).toEqual({ at: 300 });
    // dips below once, comes back above at the end: not overtaken
    expect(overtakes({ bytes: [100, 200, 300], bits: [250, 700, 950] }, gzip)).toBe('never');
    // below from the first point
    expect(overtakes({ bytes: [100, 200], bits: [100, 200] }, gzip)).toEqual({ at: 100 });
    expect(overtakes({ bytes: [], bits: [] }, gzip)).toBeNull();
  });
});
