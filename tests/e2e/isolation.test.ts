// The page is cross-origin isolated (COOP/COEP from vite.config.ts), nothing it loads is blocked by COEP, and
// so its wasm backend runs tfjs's threaded-SIMD build on more than one thread.
import type { Browser } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from './serve.ts';

let server: ViteDevServer;
let browser: Browser;

beforeAll(async () => {
  ({ server, browser } = await startApp());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('cross-origin isolation', () => {
  it('the page is crossOriginIsolated, loads everything, and wasm gets threads', async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
    page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`); });
    await page.goto(`${server.resolvedUrls!.local[0]}?preset=nano&backend=wasm`);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await expect.poll(() => page.evaluate(() => (window as any).kxy?.lab?.backend?.note ?? ''), { timeout: 60_000 }).toMatch(/wasm/);
    const backend = await page.evaluate(() => (window as any).kxy.lab.backend);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    if (cores > 1) {
      expect(backend.threads).toBeGreaterThan(1);
      expect(backend.note).toMatch(/threaded SIMD/);
    }
    expect(problems).toEqual([]);
    await page.close();
  });
});
