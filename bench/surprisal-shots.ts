// Screenshots of the map of where X helped Y, at 1280 and 390 px, after a short run set by the URL:
// npx tsx bench/surprisal-shots.ts OUTDIR [QUERY]. Prints the map's totals and word lists for the report.
import { startApp } from '../tests/e2e/serve.ts';

const out = process.argv[2] ?? '/tmp/shots';
const query = process.argv[3] ?? '?preset=nano&backend=wasm&steps=150&control=none&replay=0';
const { server, browser, url } = await startApp(); // as the e2e tests: Vite on a free port, Debian's chromium
const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 })).newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
const t0 = Date.now();
await page.goto(url + query);
await page.getByTestId('y-info').filter({ hasText: 'tokens' }).waitFor({ timeout: 60_000 });
await page.getByTestId('train').click();
// progress every 20 s, so a slow machine shows where it is
while (!/done|stopped|failed/.test(await page.evaluate(() => (window as any).kxy.lab.state))) {
  await page.waitForTimeout(20_000);
  console.log((Date.now() - t0) / 1000, 's', await page.evaluate(() => (window as any).kxy.lab.runs.map((r: any) => `${r.name}:${r.step}/${r.totalSteps}`).join(' ')));
}
console.log('done', (Date.now() - t0) / 1000, 's', await page.evaluate(() => JSON.stringify({ s: (window as any).kxy.lab.stateMessage, e: (window as any).kxy.lab.errors })));
await page.waitForFunction(() => !!(window as any).kxy.lab.surprisal, null, { timeout: 120_000 });
console.log('map', (Date.now() - t0) / 1000, 's');
const map = page.locator('#surprisal');
// point at a character of the first word X helped most, so the details line shows it
await page.locator('[data-testid="surprisal-helped"] .word').first().click();
await page.waitForTimeout(300);
const i = await page.locator('[data-testid="surprisal-text"] .cur').getAttribute('data-i');
await page.locator(`[data-testid="surprisal-text"] [data-i="${i}"]`).hover();
await page.waitForTimeout(300);
await map.screenshot({ path: `${out}/surprisal-desktop.png` });
console.log(await map.innerText().then((t) => t.replace(/\n{2,}/g, '\n').slice(0, 300)));
console.log('helped:', await page.getByTestId('surprisal-helped').innerText().catch(() => ''));
console.log('hurt:', await page.getByTestId('surprisal-hurt').innerText().catch(() => ''));
console.log('detail:', await page.getByTestId('surprisal-detail').innerText());
await page.setViewportSize({ width: 390, height: 844 });
await page.waitForTimeout(1000);
await map.screenshot({ path: `${out}/surprisal-mobile.png` });
console.log('scrollWidth at 390 px:', await page.evaluate(() => document.documentElement.scrollWidth));
await browser.close();
await server.close();
