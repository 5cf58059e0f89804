// The page is cross-origin isolated (COOP/COEP from vite.config.ts), nothing it loads is blocked by COEP, and
// so its wasm backend runs tfjs's threaded-SIMD build on more than one thread: in the dev server, and in the
// production build (`vite build` + `vite preview`), whose bundling once broke the pthread workers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, preview } from 'vite';
import { describe, expect, it } from 'vitest';
import { useApp } from './serve.ts';

const app = useApp();

async function checkThreads(url: string): Promise<void> {
  const page = await app.browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('requestfailed', (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`); });
  await page.goto(`${url}?preset=nano&backend=wasm`);
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
}

describe('cross-origin isolation', () => {
  it('the page is crossOriginIsolated, loads everything, and wasm gets threads', async () => {
    await checkThreads(app.server.resolvedUrls!.local[0]);
  });

  it('the same in the production build', async () => {
    const root = join(import.meta.dirname, '../..');
    const configFile = join(root, 'vite.config.ts');
    const outDir = mkdtempSync(join(tmpdir(), 'kxy-build-'));
    try {
      await build({ root, configFile, logLevel: 'error', build: { outDir, emptyOutDir: true } });
      const built = await preview({ root, configFile, build: { outDir }, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
      try {
        await checkThreads(built.resolvedUrls!.local[0]);
      } finally {
        await built.close();
      }
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
