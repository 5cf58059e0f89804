// The chart's series thinning (src/ui/thin.ts) against the full series it stands for.
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/lib/rng.ts';
import { MinMaxThinner, type Point } from '../src/ui/thin.ts';

function walk(n: number, seed: number): Point[] {
  const rng = new Rng(seed);
  let y = 0;
  return Array.from({ length: n }, (_, x) => ({ x, y: (y += rng.float() - 0.5) }));
}

describe('MinMaxThinner', () => {
  it('keeps every point while the series is shorter than its cap', () => {
    const input = walk(300, 1);
    const t = new MinMaxThinner(500);
    for (const p of input) t.push(p);
    t.show();
    expect(t.points).toEqual(input);
  });

  it('stays under its cap and keeps, in order, the extremes, a spike and the newest point', () => {
    const input = walk(20_000, 2);
    input[12_345] = { x: 12_345, y: 1e6 }; // a loss spike must not vanish
    const index = new Map(input.map((p, i) => [p, i]));
    const t = new MinMaxThinner(500);
    input.forEach((p, i) => {
      t.push(p);
      if (i % 3 === 0) return; // the chart shows after a batch of pushes, not after each
      t.show();
      expect(t.points.length).toBeLessThanOrEqual(503); // the open bucket adds at most three
      expect(t.points.at(-1)).toBe(p); // the curve always reaches the newest input
      if (i % 997 !== 0) return;
      const seen = input.slice(0, i + 1);
      const at = t.points.map((q) => index.get(q)!);
      at.forEach((k, j) => expect(k).toBeGreaterThan(j ? at[j - 1] : -1)); // inputs, in input order
      const ys = t.points.map((q) => q.y);
      expect(Math.min(...ys)).toBe(Math.min(...seen.map((q) => q.y)));
      expect(Math.max(...ys)).toBe(Math.max(...seen.map((q) => q.y)));
    });
    expect(t.points).toContain(input[12_345]);
    expect(t.bucket).toBeGreaterThanOrEqual(64); // 20,000 inputs at ≤ 2 points per bucket under 500
  });

  it('starts over after clear', () => {
    const t = new MinMaxThinner(16);
    for (const p of walk(1000, 3)) t.push(p);
    t.clear();
    const again = walk(10, 4);
    for (const p of again) t.push(p);
    t.show();
    expect(t.points).toEqual(again);
    expect(t.bucket).toBe(1);
  });
});
