// Storage and input faults in Debian's chromium: a 2 GiB file is refused from its size before a byte is
// read; with the origin's storage quota forced to almost nothing (CDP), training still finishes and the page
// says the runs will not survive a reload; a second tab on the same experiment opens it read-only.
import { closeSync, mkdtempSync, openSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useApp } from './serve.ts';

const app = useApp();

const dir = mkdtempSync(join(tmpdir(), 'kxy-e2e-storage-'));
// the smallest experiment: nano on wasm, two steps, no control run
const quick = () => `${app.url}?preset=nano&backend=wasm&steps=2&control=none`;

async function open(context: BrowserContext, at = quick()): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(at);
  await expect.poll(async () => (await page.getByTestId('x-info').textContent()) ?? '', { timeout: 60_000 }).toMatch(/tokens/);
  return page;
}

async function trainToEnd(page: Page): Promise<void> {
  await page.getByTestId('train').click();
  await expect.poll(async () => page.getByTestId('state').textContent(), { timeout: 240_000, interval: 1000 }).toMatch(/done|stopped|failed/);
  expect(await page.getByTestId('state').textContent()).toMatch(/done/);
}

describe('huge files', () => {
  it('a 2 GiB dataset or model file is refused from its size; the tab stays responsive', async () => {
    const context = await app.browser.newContext();
    const page = await open(context, app.url);
    // sparse: 2 GiB long, no disk used; chromium gets the path and reads nothing unless the page asks
    const huge = join(dir, 'huge.txt');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, 2 * 1024 ** 3);
    closeSync(fd);
    const before = await page.getByTestId('x-info').textContent();
    await page.getByTestId('x-file').setInputFiles(huge);
    await expect.poll(async () => (await page.getByTestId('x-error').textContent()) ?? '').toMatch(/huge\.txt: 2048\.0 MiB is over the 32\.0 MiB limit/);
    expect(await page.getByTestId('x-info').textContent()).toBe(before);
    const weights = join(dir, 'huge.safetensors');
    const fw = openSync(weights, 'w');
    ftruncateSync(fw, 2 * 1024 ** 3);
    closeSync(fw);
    await page.getByTestId('import-file').setInputFiles(weights);
    await expect.poll(async () => (await page.getByTestId('import-error').textContent()) ?? '').toMatch(/over the 256\.0 MiB limit for a model file/);
    expect(await page.evaluate(() => 1 + 1)).toBe(2); // still answering
    await context.close();
  });
});

describe('storage', () => {
  it('with the quota exceeded, training goes on to the end and the page says the runs will not survive a reload', async () => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(app.url).origin, quotaSize: 1 });
    await page.goto(quick());
    await expect.poll(async () => (await page.getByTestId('x-info').textContent()) ?? '', { timeout: 60_000 }).toMatch(/tokens/);
    await trainToEnd(page);
    await expect.poll(async () => (await page.getByTestId('storage-problem').textContent()) ?? '', { timeout: 30_000 }).toMatch(/full: training goes on, but this experiment will not survive a reload/);
    expect(await page.evaluate(() => (window as any).kxy.lab.errors)).toEqual([]);
    await context.close();
  });

  it('a second tab on the same experiment opens it read-only; once the first closes, it may write again', async () => {
    const context = await app.browser.newContext();
    const first = await open(context);
    await trainToEnd(first);
    const second = await open(context);
    await expect.poll(async () => (await second.getByTestId('read-only').textContent()) ?? '', { timeout: 30_000 }).toMatch(/open in another tab/);
    expect(await second.evaluate(() => (window as any).kxy.lab.readOnly)).toBe(true);
    expect(await first.evaluate(() => (window as any).kxy.lab.readOnly)).toBe(false);
    await first.close();
    await second.reload();
    await expect.poll(async () => second.evaluate(() => (window as any).kxy.lab.experimentId !== null && (window as any).kxy.lab.readOnly === false), { timeout: 30_000 }).toBe(true);
    expect(await second.getByTestId('read-only').count()).toBe(0);
    await context.close();
  });
});
