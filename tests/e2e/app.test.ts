// End to end in Debian's chromium, driven by Playwright: open the page, train the bundled pair for a few
// steps and see three runs' curves, refuse a bad file, export → import → sample, and reload to find the runs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './serve.ts';

const app = useApp();

let page: Page;
const dir = mkdtempSync(join(tmpdir(), 'kxy-e2e-'));

beforeAll(async () => {
  page = await (await app.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

const byTest = (id: string) => page.getByTestId(id);

describe('the app', () => {
  it('opens with the default pair chosen and its sizes shown', async () => {
    await page.goto(app.url);
    await expect.poll(async () => (await byTest('x-info').textContent()) ?? '', { timeout: 60_000 }).toMatch(/tokens/);
    await expect.poll(async () => (await byTest('y-info').textContent()) ?? '', { timeout: 60_000 }).toMatch(/tokens/);
  });

  it('trains the bundled pair for a few steps and draws curves for x, y and xy', async () => {
    await byTest('preset').selectOption('nano');
    await byTest('backend').selectOption('wasm');
    await byTest('steps').fill('3');
    await byTest('train').click();
    await expect.poll(async () => byTest('state').textContent(), { timeout: 240_000, interval: 1000 }).toMatch(/done|stopped|failed/);
    const why = await page.evaluate(() => JSON.stringify({ message: (window as any).kxy.lab.stateMessage, errors: (window as any).kxy.lab.errors }));
    expect(await byTest('state').textContent(), why).toMatch(/done/);
    const series = Number(await byTest('chart').getAttribute('data-series-count'));
    expect(series).toBeGreaterThanOrEqual(3);
    await expect.poll(async () => byTest('backend-info').textContent()).toMatch(/wasm/);
    expect(await byTest('compression').textContent()).toMatch(/bits/);
    expect(await byTest('saved').textContent()).toMatch(/\d/);
  });

  it('refuses a binary file with a clear message and keeps the earlier choice', async () => {
    const before = await byTest('x-info').textContent();
    const bad = join(dir, 'photo.bin');
    writeFileSync(bad, Uint8Array.from({ length: 4096 }, (_, i) => (i * 151) % 256));
    await byTest('x-file').setInputFiles(bad);
    await expect.poll(async () => (await byTest('x-error').textContent()) ?? '').toMatch(/UTF-8|binary/);
    expect(await byTest('x-info').textContent()).toBe(before);
  });

  it('exports a run, imports the file and samples from it', async () => {
    const download = page.waitForEvent('download');
    await byTest('export-x').click();
    const file = join(dir, (await download).suggestedFilename());
    await (await download).saveAs(file);
    expect(file).toMatch(/\.safetensors$/);
    await byTest('import-file').setInputFiles(file);
    await expect.poll(async () => (await byTest('sample-model').textContent()) ?? '', { timeout: 30_000 }).toMatch(/imported/);
    const imported = await byTest('sample-model').locator('option', { hasText: 'imported' }).first().getAttribute('value');
    await byTest('sample-model').selectOption(imported!);
    await byTest('sample-prompt').fill('The ');
    await byTest('sample-go').click();
    await expect.poll(async () => ((await byTest('sample-output').textContent()) ?? '').length, { timeout: 60_000 }).toBeGreaterThan(10);
  });

  it('refuses a malformed weights file with a clear message', async () => {
    const bad = join(dir, 'broken.safetensors');
    writeFileSync(bad, 'not a safetensors file at all');
    await byTest('import-file').setInputFiles(bad);
    await expect.poll(async () => (await byTest('import-error').textContent()) ?? '', { timeout: 30_000 }).toMatch(/safetensors/);
  });

  it('shows the runs again after a reload', async () => {
    await page.reload();
    await expect.poll(async () => Number(await byTest('chart').getAttribute('data-series-count')), { timeout: 60_000 }).toBeGreaterThanOrEqual(3);
    expect(await byTest('compression').textContent()).toMatch(/bits/);
  });
});

describe('an interrupted experiment', () => {
  const lab = () => (window as unknown as { kxy: { lab: { runs: { step: number; totalSteps: number }[]; checkpointSteps: Record<string, number> } } }).kxy.lab;

  it('survives a reload: paused mid-run, reloaded, resumed from its checkpoint to the end', async () => {
    await byTest('steps').fill('6');
    await byTest('train').click();
    // every run past step 2, x → y included (it starts when x finishes); an empty list (before 'planned') is not
    await expect.poll(() => page.evaluate(`((r) => (r.length === 7 ? Math.min(...r.map((v) => v.step)) : 0))((${lab})().runs)`), { timeout: 180_000, interval: 500 }).toBeGreaterThanOrEqual(2);
    await byTest('pause').click();
    await expect.poll(async () => byTest('state').textContent(), { timeout: 60_000 }).toMatch(/paused/);
    await expect.poll(() => page.evaluate(`Object.keys((${lab})().checkpointSteps).length`), { timeout: 60_000 }).toBe(7); // every run has started: x → y, y → x and c → y after the run they start from
    await page.reload();
    await byTest('resume-stored').click();
    await expect.poll(async () => byTest('state').textContent(), { timeout: 240_000, interval: 1000 }).toMatch(/done|stopped|failed/);
    expect(await byTest('state').textContent()).toMatch(/done/);
    expect(await page.evaluate(`(${lab})().runs.map((r) => r.step + '/' + r.totalSteps).join(' ')`)).toBe('6/6 6/6 6/6 6/6 6/6 6/6 6/6');
    expect(Number(await byTest('chart').getAttribute('data-series-count'))).toBeGreaterThanOrEqual(3);
    // the page's traces, cut back to the checkpoint and continued, give the worker's own comparison to the bit
    const gap = `(() => { const l = (${lab})(); return ['Y|X', 'Y|C', 'Y|X joint'].map((k) => l.comparison.conditional[k].savedBits - l.summary.conditional[k].savedBits); })()`;
    expect(await page.evaluate(gap)).toEqual([0, 0, 0]);
  });
});
