// Screenshots of the history and of one chart overlaying two experiments (the same X and Y, two of the repo's
// READMEs, at nano and at micro), at 1280 and 390 px, with axe-core's findings on each:
// npx tsx bench/history-screenshots.ts OUTDIR [STEPS]
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startApp } from '../tests/e2e/serve.ts';

const out = process.argv[2] ?? '/tmp/shots';
const steps = Number(process.argv[3] ?? 8);
const root = join(import.meta.dirname, '..');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const { server, browser, url } = await startApp(); // as the e2e tests: Vite on a free port, Debian's chromium
const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
const page = await ctx.newPage();
page.on('pageerror', (e) => console.error('page error:', e.message));
const t0 = Date.now();

async function train(preset: string): Promise<void> {
  await page.goto(`${url}?preset=${preset}&backend=wasm&steps=${steps}&control=none&axis=step`);
  await page.getByTestId('y-info').filter({ hasText: 'tokens' }).waitFor({ timeout: 60_000 });
  if (preset === 'nano') {
    await page.getByTestId('x-file').setInputFiles(join(root, 'README.md'));
    await page.getByTestId('y-file').setInputFiles(join(root, 'datasets/README.md'));
  }
  // the micro page gets X and Y back from IndexedDB (the user's own data is kept)
  await page.waitForFunction(() => (window as any).kxy.settings.y?.label === 'README.md' && (window as any).kxy.settings.ready);
  const before = await page.evaluate(() => (window as any).kxy.lab.experimentId);
  await page.getByTestId('train').click();
  await page.waitForFunction((b) => (window as any).kxy.lab.experimentId !== b && /done|stopped|failed/.test((window as any).kxy.lab.state), before, { timeout: 600_000, polling: 1000 });
  console.log(preset, (Date.now() - t0) / 1000, 's', await page.evaluate(() => (window as any).kxy.lab.state));
}

async function axe(state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const v = await page.evaluate(async () => ((await (window as any).axe.run(document, { resultTypes: ['violations'] })).violations as { id: string; impact: string }[]).map((x) => `${x.impact}:${x.id}`));
  console.log(`axe, ${state}: ${v.length} violations ${v.join(' ')}`);
}

await train('nano');
await train('micro');
await page.waitForFunction(() => (window as any).kxy.entries.length >= 2, null, { timeout: 30_000 });
// overlay the nano experiment on the micro one's chart
const nano = await page.evaluate(() => (window as any).kxy.entries.find((e: any) => e.preset === 'nano').id as string);
await page.locator(`[data-id="${nano}"]`).getByTestId('history-overlay').click();
await page.getByTestId('overlay-legend').waitFor();
await page.waitForTimeout(1000);
await axe('history and overlay, 1280 px');
await page.locator('#history').screenshot({ path: `${out}/history-desktop.png` });
await page.locator('#chart').screenshot({ path: `${out}/overlay-desktop.png` });
console.log(await page.locator('#history').innerText());
await page.setViewportSize({ width: 390, height: 844 });
await page.waitForTimeout(1500);
await axe('history and overlay, 390 px');
await page.locator('#history').screenshot({ path: `${out}/history-mobile.png` });
await page.locator('#chart').screenshot({ path: `${out}/overlay-mobile.png` });
await page.locator('#data').screenshot({ path: `${out}/data-identity-mobile.png` });
await browser.close();
await server.close();
