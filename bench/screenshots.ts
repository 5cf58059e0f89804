// Screenshots of the compression panel and the crossover chart, at 1280 and 390 px: npx tsx bench/screenshots.ts OUTDIR [QUERY]
import { startApp } from '../tests/e2e/serve.ts';

const out = process.argv[2] ?? '/tmp/shots';
const query = process.argv[3] ?? '?preset=nano&backend=wasm&steps=60&seeds=2&replay=0';
const { server, browser, url } = await startApp(); // as the e2e tests: Vite on a free port, Debian's chromium
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
const t0 = Date.now();
/** The page from the top of `from` to the top of `to` (inside the compression panel's width). */
async function clip(from: string, to: string, path: string): Promise<void> {
  const panel = (await page.locator('#compression').boundingBox())!;
  const a = (await page.locator(from).first().boundingBox())!;
  const b = (await page.locator(to).first().boundingBox())!;
  const sy = await page.evaluate(() => window.scrollY);
  await page.screenshot({ path, fullPage: true, clip: { x: panel.x, y: a.y + sy, width: panel.width, height: b.y - a.y } });
}
await page.goto(url + query);
await page.getByTestId('y-info').filter({ hasText: 'tokens' }).waitFor({ timeout: 60_000 });
await page.getByTestId('train').click();
// mid-run: x → y still waiting for x
await page.waitForFunction(() => { const r = (window as any).kxy.lab.runs; const x = r.find((v: any) => v.name === 'x'); return x && x.step >= 30; }, null, { timeout: 600_000, polling: 500 });
await page.waitForTimeout(800);
await clip('#compression', '.base', `${out}/training-desktop.png`);
await page.locator('#train').screenshot({ path: `${out}/train-desktop.png` });
console.log('mid-run shot', (Date.now() - t0) / 1000, 's');
await page.waitForFunction(() => /done|stopped|failed/.test((window as any).kxy.lab.state), null, { timeout: 1_800_000, polling: 1000 });
console.log('done', (Date.now() - t0) / 1000, 's', await page.evaluate(() => JSON.stringify({ s: (window as any).kxy.lab.stateMessage, e: (window as any).kxy.lab.errors })));
await page.waitForFunction(() => !!(window as any).kxy.lab.baselines.Y?.ctxBits && !!(window as any).kxy.lab.baselines.X?.ctxBits, null, { timeout: 120_000 });
await page.waitForTimeout(1500);
const panel = page.locator('#compression');
await panel.screenshot({ path: `${out}/compression-full-desktop.png` });
await clip('#compression', '.runs-h', `${out}/compression-desktop.png`);
await clip('.runs-h', '.code-chart', `${out}/compression-tables-desktop.png`);
await page.locator('.code-chart').screenshot({ path: `${out}/crossover-desktop.png` });
console.log(await panel.innerText());
await page.setViewportSize({ width: 390, height: 844 });
await page.waitForTimeout(1500);
await panel.screenshot({ path: `${out}/compression-full-mobile.png` });
await clip('#compression', '.seeds', `${out}/compression-mobile.png`);
await page.locator('.code-chart').screenshot({ path: `${out}/crossover-mobile.png` });
await browser.close();
await server.close();
