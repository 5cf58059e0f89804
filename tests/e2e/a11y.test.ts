// Keyboard, focus and axe-core in Debian's chromium: the file pickers are buttons that open with Enter,
// focus never drops to <body> when Train, Pause or Resume disable themselves, and axe finds no critical or
// serious violation on first load, while training, when done, and on a 390 px wide phone.
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';

import { useApp } from './serve.ts';

const app = useApp();

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js'); // from node_modules: works offline

async function open(width: number, query = ''): Promise<Page> {
  const page = await (await app.browser.newContext({ viewport: { width, height: 900 } })).newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  // intercept file pickers from the start: Playwright turns interception on asynchronously when the first
  // listener is added, and an Enter pressed right after a later waitForEvent could beat it
  page.on('filechooser', () => {});
  await page.goto(app.url + query);
  await expect.poll(async () => (await page.getByTestId('y-info').textContent()) ?? '', { timeout: 60_000 }).toMatch(/tokens/);
  return page;
}

type Impact = 'minor' | 'moderate' | 'serious' | 'critical';
interface AxeViolation {
  id: string;
  impact: Impact | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core on the page; prints every violation by impact (for the report), and returns the serious ones. */
async function axe(page: Page, state: string): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const r = await (window as unknown as { axe: { run: (c: Document, o: object) => Promise<{ violations: unknown[] }> } }).axe.run(document, { resultTypes: ['violations'] });
    return r.violations as AxeViolation[];
  });
  const byImpact: Record<string, number> = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  for (const v of violations) byImpact[v.impact ?? 'minor'] += 1;
  console.log(`axe, ${state}: ${JSON.stringify(byImpact)}${violations.length ? ' ' + violations.map((v) => `${v.impact}:${v.id}`).join(' ') : ''}`);
  return violations.filter((v) => v.impact === 'critical' || v.impact === 'serious').map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const focused = (page: Page) => page.evaluate(() => (document.activeElement === document.body ? '<body>' : (document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.tagName ?? 'none')));

/** Presses Tab until the element with this test id has focus (keyboard only: no click, no focus()). */
async function tabTo(page: Page, testId: string, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if ((await focused(page)) === testId) return;
  }
  throw new Error(`Tab never reached ${testId}`);
}

describe('keyboard and axe-core', () => {
  let page: Page;

  it('first load: no critical or serious axe violation; a duration estimate from the probe', async () => {
    page = await open(1280);
    expect(await axe(page, 'first load')).toEqual([]);
    await expect.poll(async () => ((await page.getByTestId('estimate').textContent()) ?? '').replace(/\s+/g, ' '), { timeout: 60_000 }).toMatch(/Estimated duration: about .+ from 3 probe steps on \w+: [\d.]+ s per step/);
  });

  it('opens the file pickers with Enter (and shows where focus is)', async () => {
    for (const id of ['x-choose', 'y-choose', 'import-choose']) {
      await tabTo(page, id);
      const outline = await page.getByTestId(id).evaluate((el) => getComputedStyle(el).outlineStyle);
      expect(outline, `${id} has a visible focus ring`).not.toBe('none');
      const chooser = page.waitForEvent('filechooser', { timeout: 5000 }).catch(() => null);
      await page.keyboard.press('Enter');
      const c = await chooser;
      expect(c, `Enter on ${id} opens a file picker`).not.toBeNull();
      await c!.setFiles([]); // closes the picker, choosing nothing
    }
    await tabTo(page, 'x-choose');
    const chooser = page.waitForEvent('filechooser', { timeout: 5000 }).catch(() => null);
    await page.keyboard.press('Space');
    expect(await chooser, 'Space on x-choose opens a file picker').not.toBeNull();
  });

  it('moves focus to the next control when Train, Pause and Resume disable themselves, never to <body>', async () => {
    await page.getByTestId('backend').selectOption('wasm');
    await page.getByTestId('steps').fill('4');
    // sample every few ms whether focus sits on <body>: a drop that is fixed a frame later still counts
    await page.evaluate(() => {
      const w = window as unknown as { bodyFocus: number };
      w.bodyFocus = 0;
      setInterval(() => (w.bodyFocus += document.activeElement === document.body ? 1 : 0), 5);
    });
    const state = () => page.getByTestId('state').textContent();
    await tabTo(page, 'train');
    await page.keyboard.press('Enter');
    await expect.poll(state, { timeout: 120_000, interval: 100 }).toMatch(/running|done|failed/);
    expect(await state()).toBe('running');
    expect(await focused(page)).toBe('pause');
    expect(await axe(page, 'training')).toEqual([]);

    await page.keyboard.press('Enter'); // Pause
    await expect.poll(state, { timeout: 60_000, interval: 100 }).toBe('paused');
    expect(await focused(page)).toBe('resume');
    await page.keyboard.press('Enter'); // Resume
    await expect.poll(state, { timeout: 60_000, interval: 100 }).not.toBe('paused');
    // the few steps left may already have finished: then Train is the next control, else Pause
    const resumed = await state();
    expect(await focused(page)).toBe(resumed === 'running' ? 'pause' : 'train');

    await expect.poll(state, { timeout: 240_000, interval: 250 }).toMatch(/done|stopped|failed/);
    expect(await state()).toBe('done');
    expect(await focused(page)).toBe('train');
    expect(await page.evaluate(() => (window as unknown as { bodyFocus: number }).bodyFocus)).toBe(0);
    expect(await axe(page, 'done')).toEqual([]);
  });

  it('on a 390 px phone: nothing is cut off or scrolls sideways, paste boxes are usable, no serious axe violation', async () => {
    // with a link that has bad values (shown as ignored) and chart options (kept in the URL)
    const phone = await open(390, '?preset=huge&pair=nope&unit=bpt&log=1');
    const note = (await phone.getByTestId('url-ignored').textContent()) ?? '';
    expect(note).toMatch(/preset=huge.*pair=nope.*ignored/s);
    expect(await phone.getByTestId('unit-bpt').isChecked()).toBe(true);
    expect(new URL(phone.url()).search).toMatch(/unit=bpt/);
    expect(new URL(phone.url()).search).toMatch(/log=1/);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // the badge's text wraps rather than being cut
    const badge = phone.getByTestId('backend-info').locator('.text');
    expect(await badge.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    for (const id of ['x-paste', 'y-paste']) {
      const box = (await phone.getByTestId(id).boundingBox())!;
      expect(box.width).toBeGreaterThan(250);
      expect(box.height).toBeGreaterThan(60);
      expect(await phone.getByTestId(id).evaluate((el) => (el as HTMLTextAreaElement).labels?.[0]?.textContent ?? '')).toMatch(/paste text/);
    }
    expect(await axe(phone, 'mobile 390 px')).toEqual([]);

    // "Use this text" disables itself once used: focus goes on to Y's paste box, not to <body>
    await phone.getByTestId('x-paste').fill('the quick brown fox jumps over the lazy dog. '.repeat(60));
    await phone.getByTestId('x-paste').press('Tab');
    expect(await focused(phone)).toBe('x-paste-apply');
    await phone.keyboard.press('Enter');
    await expect.poll(async () => (await phone.getByTestId('x-info').textContent()) ?? '').toMatch(/2,700 bytes/);
    expect(await focused(phone)).toBe('y-paste');
  });
});
