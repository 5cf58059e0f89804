// The page, measured in Debian's chromium against the production build.
//   train:  trains the default pair with the given backend and reports steps per second (wall, and training
//           alone per run) and every main-thread task over 50 ms (PerformanceObserver 'longtask').
//   chart:  fills 3 runs with N log points each, then appends a point per run 10 times a second for 10 s,
//           and reports the redraw times and long tasks: the chart's cost with long runs.
// Usage: npx tsx bench/page.ts train [--backend wasm] [--preset nano] [--replay R] [--steps 0] [--seconds 900] [--shots DIR]
//        npx tsx bench/page.ts chart [--points 20000] [--code]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { build, preview } from 'vite';
import { CHROMIUM, CHROMIUM_ARGS } from '../vite.config.ts';

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: { backend: { type: 'string', default: 'auto' }, preset: { type: 'string', default: 'nano' }, replay: { type: 'string' }, steps: { type: 'string', default: '0' }, seconds: { type: 'string', default: '900' }, shots: { type: 'string' }, points: { type: 'string', default: '20000' }, code: { type: 'boolean', default: false } },
});
const mode = positionals[0] ?? 'train';
const root = join(import.meta.dirname, '..');
const configFile = join(root, 'vite.config.ts');

await build({ root, configFile, logLevel: 'warn' });
const server = await preview({ root, configFile, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
const url = server.resolvedUrls!.local[0];
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('pageerror', (e) => console.error('page error:', e.message, e.stack?.split('\n').slice(0, 4).join(' | ')));

// Registered before the page's own scripts, so nothing escapes it.
await page.addInitScript(() => {
  const w = window as any;
  w.__long = [];
  w.__t0 = 0;
  new PerformanceObserver((l) => {
    for (const e of l.getEntries()) w.__long.push(Math.round(e.duration));
  }).observe({ type: 'longtask', buffered: true });
  w.__raf = [];
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) => raf((t) => { const s = performance.now(); cb(t); w.__raf.push(performance.now() - s); });
});

const lab = (p: Page) => p.evaluate(() => {
  const l = (window as any).kxy.lab;
  return { state: l.state as string, steps: l.runs.map((r: any) => r.step) as number[], tps: l.runs.map((r: any) => Math.round(r.tokensPerSecond)) as number[], backend: l.backend ? `${l.backend.name}${l.backend.threads > 1 ? ` ×${l.backend.threads} threads` : ''}${l.backend.adapter ? ` (${l.backend.adapter})` : ''}` : null, tokensPerStep: l.cfg ? l.cfg.batchSize * l.cfg.blockSize : 0 };
});
const resetProbes = () => page.evaluate(() => { const w = window as any; w.__long = []; w.__raf = []; });
const probes = () => page.evaluate(() => { const w = window as any; return { long: w.__long as number[], raf: (w.__raf as number[]).filter((d) => d > 0.5) }; });

const query = new URLSearchParams({ preset: a.preset!, backend: a.backend!, ...(Number(a.steps) > 0 ? { steps: a.steps! } : {}), ...(a.replay ? { replay: a.replay } : {}) });
await page.goto(`${url}?${query}`);
await page.waitForFunction(() => /tokens/.test(document.querySelector('[data-testid=y-info]')?.textContent ?? '') && !(document.querySelector('[data-testid=train]') as HTMLButtonElement).disabled, null, { timeout: 120_000 });

if (mode === 'train') {
  await resetProbes();
  await page.getByTestId('train').click();
  const t0 = Date.now();
  let s = await lab(page);
  let shot = false;
  while (!/done|stopped|failed/.test(s.state) && Date.now() - t0 < Number(a.seconds) * 1000) {
    await page.waitForTimeout(1000);
    s = await lab(page);
    if (a.shots && !shot && Date.now() - t0 > 60_000) {
      shot = true;
      await page.screenshot({ path: join(a.shots, 'desktop-training.png'), fullPage: true });
    }
  }
  const wall = (Date.now() - t0) / 1000;
  const p = await probes();
  if (a.shots) await page.screenshot({ path: join(a.shots, 'desktop-after-run.png'), fullPage: true });
  const total = s.steps.reduce((x, y) => x + y, 0);
  console.log(`${a.preset}, backend ${s.backend}, state ${s.state}: ${total} steps (${s.steps.join(' / ')}) in ${wall.toFixed(0)} s = ${(total / wall).toFixed(3)} steps/s overall, evaluations included`);
  console.log(`training alone, per run: ${s.tps.map((t) => `${t} tokens/s = ${(t / s.tokensPerStep).toFixed(2)} steps/s`).join('; ')}`);
  console.log(`main-thread tasks over 50 ms: ${p.long.length ? p.long.join(', ') + ' ms' : 'none'}; chart redraws ${p.raf.length}, longest ${Math.max(0, ...p.raf).toFixed(1)} ms`);
} else if (mode === 'chart') {
  const n = Number(a.points);
  await page.evaluate((n) => {
    const l = (window as any).kxy.lab;
    const source = { bytes: 1e5, tokens: 1e5, trainTokens: 9e4, trainBytes: 9e4, valTokens: 1e4, gzipTrainBytes: 3e4 };
    l.handle({ type: 'planned', experimentId: 'bench', cfg: { ...l.cfg, evalEvery: 25 }, params: 1, sources: [{ name: 'X', label: 'X', ...source }, { name: 'Y', label: 'Y', ...source }], runs: ['x', 'y', 'xy'].map((name) => ({ name, totalSteps: 10 * n, startStep: 0, trainSources: name === 'x' ? ['X'] : name === 'y' ? ['Y'] : ['X', 'Y'] })) });
    let i = 0;
    (window as any).__emit = (k: number) => {
      for (let j = 0; j < k; j++, i++) {
        for (const run of ['x', 'y', 'xy']) {
          const step = i * 5;
          const tb = run === 'x' ? { X: step * 1024, Y: 0 } : run === 'y' ? { X: 0, Y: step * 1024 } : { X: step * 512, Y: step * 512 };
          const b = 2 + 6 * Math.exp(-i / 2000) + 0.2 * Math.random();
          const code = Object.fromEntries(Object.entries(tb).filter(([, v]) => v > 0).map(([s, v]) => [s, { bits: v * (b + 0.5), bytes: v, tokens: v }]));
          const base = { run, step, tokens: step * 1024, tokensBySource: tb };
          l.handle({ type: 'event', event: { type: 'log', ...base, lossBitsPerToken: b, smoothLossBitsPerToken: b, gradNorm: 1, tokensPerSecond: 1000, prequential: code } });
          if (i % 5 === 0) l.handle({ type: 'event', event: { type: 'eval', ...base, val: { X: { bitsPerToken: b + 0.1, bitsPerByte: b + 0.1, tokens: 1, bytes: 1 }, Y: { bitsPerToken: b + 0.3, bitsPerByte: b + 0.3, tokens: 1, bytes: 1 } } } });
        }
      }
    };
    (window as any).__emit(n);
  }, n);
  if (a.code) await page.getByText('code so far').click(); // 6 more series: the code so far per run and source
  await page.waitForTimeout(1000);
  await resetProbes();
  await page.evaluate(() => new Promise<void>((resolve) => {
    let k = 0;
    const id = setInterval(() => { (window as any).__emit(1); if (++k === 100) { clearInterval(id); resolve(); } }, 100);
  }));
  await page.waitForTimeout(500);
  const p = await probes();
  const raf = p.raf.sort((x, y) => x - y);
  const series = await page.getByTestId('chart').getAttribute('data-series-count');
  console.log(`chart, 3 runs × ${n} points, ${series} series: ${raf.length} redraws in 10 s, median ${raf[raf.length >> 1]?.toFixed(1)} ms, longest ${raf.at(-1)?.toFixed(1)} ms`);
  console.log(`main-thread tasks over 50 ms: ${p.long.length ? p.long.join(', ') + ' ms' : 'none'}`);
} else {
  console.error(`unknown mode '${mode}' (train or chart)`);
  process.exitCode = 2;
}
await browser.close();
await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
