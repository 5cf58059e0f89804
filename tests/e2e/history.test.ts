// The history and the data the results belong to, in Debian's chromium: Train on a finished experiment keeps
// the earlier one in the history; a reload restores pasted X and Y that were never trained on; a settings link
// never shows results beside data they were not trained on (it keeps the data, or says it changed).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useApp } from './serve.ts';

const app = useApp();

let page: Page;
// the smallest experiment: nano on wasm, one step, no control run
const quick = () => `${app.url}?preset=nano&backend=wasm&steps=1&control=none`;
const byTest = (id: string) => page.getByTestId(id);
// distinct texts, long enough for nano's context (64 bytes: at least 650 bytes each)
const text = (seed: string) => Array.from({ length: 60 }, (_, i) => `${seed} line ${i}: the quick brown fox jumps over the lazy dog.`).join('\n');

beforeAll(async () => {
  page = await (await app.browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true })).newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
});

async function ready(): Promise<void> {
  await expect.poll(async () => (await byTest('y-info').textContent()) ?? '', { timeout: 60_000 }).toMatch(/tokens/);
}

async function paste(k: 'x' | 'y', s: string): Promise<void> {
  await byTest(`${k}-paste`).fill(s);
  await byTest(`${k}-paste-apply`).click();
  await expect.poll(async () => (await byTest(`${k}-info`).textContent()) ?? '').toContain(`${new TextEncoder().encode(s).length.toLocaleString('en-US')} bytes`);
}

async function trainToEnd(): Promise<void> {
  const before = await page.evaluate(() => (window as any).kxy.lab.experimentId);
  await byTest('train').click();
  // a new experiment (the one before may already say 'done'), then its end
  await expect.poll(() => page.evaluate(() => (window as any).kxy.lab.experimentId), { timeout: 10_000 }).not.toBe(before);
  await expect.poll(async () => byTest('state').textContent(), { timeout: 120_000, interval: 500 }).toMatch(/done|stopped|failed/);
  expect(await byTest('state').textContent()).toMatch(/done/);
}

const ids = () => page.getByTestId('history-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')));
const labX = () => page.evaluate(() => (window as any).kxy.settings.x.label as string);

describe('the history', () => {
  it('Train on a finished experiment keeps the earlier one in the history', async () => {
    await page.goto(quick());
    await ready();
    await paste('x', text('alpha'));
    await paste('y', text('beta'));
    await trainToEnd();
    await expect.poll(ids, { timeout: 15_000 }).toHaveLength(1);
    const [first] = await ids();
    expect(await byTest('data-status').textContent()).toMatch(/trained on this data: X = pasted text \(\d[\d,]* characters\)/);
    await trainToEnd();
    await expect.poll(ids, { timeout: 15_000 }).toHaveLength(2);
    expect(await byTest('history-problem').count()).toBe(0);
    const now = await ids();
    expect(now[1]).toBe(first); // newest first: the earlier experiment is still there
    expect(now[0]).toBe(await page.evaluate(() => (window as any).kxy.lab.experimentId));
    // the earlier one opens again, with its curves and numbers
    await page.locator(`[data-id="${first}"]`).getByTestId('history-open').click();
    await expect.poll(() => page.evaluate(() => (window as any).kxy.lab.experimentId)).toBe(first);
    expect(Number(await byTest('chart').getAttribute('data-series-count'))).toBeGreaterThanOrEqual(3);
    const line = page.locator(`[data-id="${first}"]`);
    expect(await line.getByTestId('history-cy').textContent()).toMatch(/\d\.\d{3} bits\/byte/);
    // its JSON summary names the data it was trained on; its weights come from its stored checkpoint
    const json = page.waitForEvent('download');
    await line.getByTestId('history-json').click();
    const summary = JSON.parse(readFileSync((await (await json).path())!, 'utf8'));
    expect(summary.data.x).toEqual({ label: expect.stringMatching(/^pasted text/), bytes: Buffer.byteLength(text('alpha')), sha256: createHash('sha256').update(text('alpha')).digest('hex') });
    expect(summary.id).toBe(first);
    const weights = page.waitForEvent('download');
    await line.getByTestId('history-weights').click();
    expect((await weights).suggestedFilename()).toBe('kxy-x2y-nano-step1.safetensors');
    expect(readFileSync((await (await weights).path())!).length).toBeGreaterThan(100_000);
  });

  it('a reload restores pasted X and Y that were never trained on, and says the results are of other data', async () => {
    await paste('x', text('gamma'));
    await paste('y', text('delta'));
    await expect.poll(async () => (await byTest('data-changed').textContent()) ?? '').toMatch(/The data has changed since the results/);
    await page.waitForTimeout(300); // the draft is written on the next microtask; give IndexedDB a moment
    await page.reload();
    await ready();
    expect(await page.evaluate(() => new TextDecoder().decode((window as any).kxy.settings.x.bytes))).toBe(text('gamma'));
    expect(await page.evaluate(() => new TextDecoder().decode((window as any).kxy.settings.y.bytes))).toBe(text('delta'));
    await expect.poll(async () => (await byTest('data-changed').count())).toBe(1);
  });

  it('a settings link never shows results beside data they were not trained on', async () => {
    // back to the data the results were trained on, then a link that changes only a setting
    await byTest('use-trained-data').click();
    await expect.poll(async () => byTest('data-status').count()).toBe(1);
    await page.waitForTimeout(300);
    await page.goto(`${app.url}?steps=3&backend=wasm`);
    await ready();
    await expect.poll(async () => page.evaluate(() => (window as any).kxy.lab.runs.length)).toBeGreaterThan(0);
    expect(await labX()).toMatch(/^pasted text/);
    expect(await byTest('data-status').textContent()).toMatch(/trained on this data/);
    expect(await byTest('data-changed').count()).toBe(0);
    // a link to a bundled pair: its data is shown, and the page says the results are of other data
    await page.goto(`${app.url}?pair=markov-seeds&steps=3`);
    await ready();
    await expect.poll(async () => (await byTest('data-changed').textContent()) ?? '').toMatch(/trained on X = pasted text/);
    expect(await byTest('data-status').count()).toBe(0);
  });
});
