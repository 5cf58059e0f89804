// Screenshots of the history and of one chart overlaying two experiments (the Markov pair at nano, then at
// micro), at 1280 and 390 px: npx tsx bench/history-screenshots.ts OUTDIR [STEPS]
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../vite.config.ts';

const out = process.argv[2] ?? '/tmp/shots';
const steps = Number(process.argv[3] ?? 40);
const server = await createServer({ configFile: join(import.meta.dirname, '../vite.config.ts'), server: { port: 0, host: '127.0.0.1', hmr: false, watch: null }, logLevel: 'warn' });
await server.listen();
const url = server.resolvedUrls!.local[0];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
const t0 = Date.now();

async function train(preset: string): Promise<void> {
  await page.goto(`${url}?pair=markov-seeds&preset=${preset}&backend=wasm&steps=${steps}&control=none&axis=step`);
  await page.getByTestId('y-info').filter({ hasText: 'tokens' }).waitFor({ timeout: 60_000 });
  await page.getByTestId('train').click();
  await page.waitForFunction(() => /done|stopped|failed/.test((window as any).kxy.lab.state), null, { timeout: 600_000, polling: 1000 });
  console.log(preset, (Date.now() - t0) / 1000, 's', await page.evaluate(() => (window as any).kxy.lab.state));
}

await train('nano');
await train('micro');
await page.waitForFunction(() => (window as any).kxy.entries.length >= 2, null, { timeout: 30_000 });
// overlay the nano experiment on the micro one's chart
const nano = await page.evaluate(() => (window as any).kxy.entries.find((e: any) => e.preset === 'nano').id as string);
await page.locator(`[data-id="${nano}"]`).getByTestId('history-overlay').click();
await page.getByTestId('overlay-legend').waitFor();
await page.waitForTimeout(1000);
await page.locator('#history').screenshot({ path: `${out}/history-desktop.png` });
await page.locator('#chart').screenshot({ path: `${out}/overlay-desktop.png` });
console.log(await page.locator('#history').innerText());
await page.setViewportSize({ width: 390, height: 844 });
await page.waitForTimeout(1500);
await page.locator('#history').screenshot({ path: `${out}/history-mobile.png` });
await page.locator('#chart').screenshot({ path: `${out}/overlay-mobile.png` });
await page.locator('#data').screenshot({ path: `${out}/data-identity-mobile.png` });
await browser.close();
await server.close();
