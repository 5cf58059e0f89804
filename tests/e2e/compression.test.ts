// End to end: the compression panel after a tiny two-seed experiment set by the URL. It leads with learning
// X first's saving, the control's beside it and the transfer, each in bits and % of C(Y); says what the
// comparison covers; shows the spread over seeds; and the crossover chart draws the runs beside gzip.
// Then the map of where X helped Y: its totals are the runs' own validation bits, and it reads by pointer,
// keyboard and at 390 px, with no serious axe violation.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './serve.ts';

const app = useApp();

let page: Page;

beforeAll(async () => {
  page = await (await app.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

const byTest = (id: string) => page.getByTestId(id);
const text = async (id: string) => (await byTest(id).textContent()) ?? '';

describe('the compression panel', () => {
  it('shows x → y, the control and the transfer in bits, their coverage, and the spread over two seeds', async () => {
    // 3 steps per run, two seeds, the shuffled control: every run of the experiment, twice, in seconds
    await page.goto(`${app.url}?preset=nano&backend=wasm&steps=3&seeds=2&control=shuffle&replay=0`);
    await expect.poll(() => text('y-info'), { timeout: 60_000 }).toMatch(/tokens/);
    await byTest('train').click();
    await expect.poll(() => text('state'), { timeout: 240_000, interval: 1000 }).toMatch(/done|stopped|failed/);
    const why = await page.evaluate(() => JSON.stringify({ message: (window as any).kxy.lab.stateMessage, errors: (window as any).kxy.lab.errors }));
    expect(await text('state'), why).toMatch(/done/);
    // every run of both seeds, each finished
    expect(await page.evaluate(() => (window as any).kxy.lab.runs.map((r: any) => `${r.name}:${r.step}/${r.totalSteps}`).join(' '))).toBe('x:3/3 y:3/3 xy:3/3 x2y:3/3 y2x:3/3 c:3/3 c2y:3/3');
    for (const id of ['saved', 'control-saved', 'transfer']) expect(await text(id)).toMatch(/^−?[\d,]+ bits$/);
    expect(await text('compression')).toMatch(/% of C\(Y\)/);
    expect(await text('compression')).toMatch(/bits\/byte/);
    // three steps code only part of Y: the panel says over which bytes it compares
    expect(await text('coverage')).toMatch(/over the first [\d.]+ kB of Y coded by both/);
    expect(await text('identity')).toMatch(/C\(X, then Y\) = C\(X\) \+ C\(Y\|X\)/);
    // the number on the page is the live comparison's (common prefix), to the bit
    const bits = await page.evaluate(() => Math.round((window as any).kxy.lab.comparison.conditional['Y|X'].savedBits));
    expect(Number((await text('saved')).replace(/[^\d−]/g, '').replace('−', '-'))).toBe(bits);
    // two finished seeds: a spread, and the transfer's verdict against it
    expect(await text('seed-spread')).toMatch(/2 of 2 finished/);
    expect(await text('transfer-spread')).toMatch(/Over 2 seeds: −?[\d,]+ ± [\d,]+ bits, range .*(Within|Beyond) noise/);
    // the crossover chart: y, x → y and c → y, and gzip once the baselines arrive
    await expect.poll(async () => Number(await byTest('code-chart').getAttribute('data-series-count')), { timeout: 60_000 }).toBeGreaterThanOrEqual(5);
    expect(await text('crossover')).toMatch(/gzip/);
    expect(await text('baselines')).toMatch(/context model/);
  });

  it('maps where X helped Y: totals equal the runs\' validation bits, hover and arrow keys show both models\' probabilities', async () => {
    // computed by the worker when the runs end, for the seed on screen (the second)
    await expect.poll(() => page.evaluate(() => (window as any).kxy.lab.surprisal?.seedIndex ?? -1), { timeout: 60_000 }).toBe(1);
    expect((await text('surprisal-total')).replace(/\s+/g, ' ')).toMatch(/Over [\d,]+ characters \([\d,]+ bytes\) of Y's validation text, run y \(step 3\) spent [\d,]+ bits .* run x → y \(step 3\) [\d,]+ bits .*X (saved|cost) [\d,]+ bits/s);
    // the map's per-character bits add up to each run's validation bits on Y, as the loop computed them
    const sums = await page.evaluate(() => {
      const lab = (window as any).kxy.lab;
      const m = lab.surprisal.map;
      const sum = (a: Float64Array) => a.reduce((s, b) => s + b, 0);
      const val = (run: string) => lab.runs.find((r: any) => r.name === run).val.Y;
      return { alone: sum(m.bitsAlone), given: sum(m.bitsGiven), y: val('y').bitsPerToken * val('y').tokens, x2y: val('x2y').bitsPerToken * val('x2y').tokens };
    });
    expect(sums.alone / sums.y).toBeCloseTo(1, 4);
    expect(sums.given / sums.x2y).toBeCloseTo(1, 4);
    // pointer: a character's details; keyboard: the arrow keys move the cursor on
    await page.locator('[data-testid="surprisal-text"] [data-i="5"]').hover();
    expect((await text('surprisal-detail')).replace(/\s+/g, ' ')).toMatch(/run y gave it [\d.e+−-]+%? \([\d.]+ bits\), run x → y [\d.e+−-]+%? \([\d.]+ bits\): (saved|cost) [\d.]+ bits/);
    await byTest('surprisal-text').focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('[data-testid="surprisal-text"] .cur').getAttribute('data-i')).toBe('6');
    expect((await byTest('surprisal-helped').count()) + (await byTest('surprisal-hurt').count())).toBeGreaterThan(0);
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
    const serious = await page.evaluate(async () => {
      const r = await (window as any).axe.run('#surprisal', { resultTypes: ['violations'] });
      return r.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.nodes.map((n: any) => n.target).join(', ')}`);
    });
    expect(serious).toEqual([]);
    // a phone: the map fits the width
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect((await byTest('surprisal-text').boundingBox())!.width).toBeGreaterThan(300);
  });
});
