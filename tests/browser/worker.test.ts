// In Chromium with WebGPU (SwiftShader where there is no GPU): the module worker trains the nano preset
// on webgpu for a few steps, and the page's runs store receives step, log and eval events for x, y and xy.
import { expect, it } from 'vitest';
import { resolveConfig } from '../../src/lib/config.ts';
import { Lab } from '../../src/app/runs.svelte.ts';
import type { FromWorker } from '../../src/worker/protocol.ts';

const enc = new TextEncoder();
const source = (label: string, text: string) => ({ label, bytes: enc.encode(text).buffer as ArrayBuffer });

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('trains nano on WebGPU in the worker; the store gets step and eval events for every run', async () => {
  const adapter = await navigator.gpu?.requestAdapter();
  expect(adapter, 'Chromium offers no WebGPU adapter (is it started with --enable-unsafe-webgpu?)').toBeTruthy();
  const lab = new Lab(() => new Worker(new URL('../../src/worker/train.worker.ts', import.meta.url), { type: 'module' }));
  const events: string[] = [];
  const handle = lab.handle.bind(lab);
  lab.handle = (m: FromWorker) => {
    if (m.type === 'event') events.push(`${m.event.run}:${m.event.type}`);
    if (m.type === 'error') events.push(`error:${m.message}`);
    handle(m);
  };
  const cfg = resolveConfig('nano', { steps: 2, replay: 0, logEvery: 1, evalEvery: 2, evalWindows: 2 });
  lab.start({
    cfg,
    x: source('x.txt', 'Whan that Aprille with his shoures soote the droghte of March hath perced to the roote. '.repeat(20)),
    y: source('y.txt', 'When April with its sweet-smelling showers has pierced the drought of March to the root. '.repeat(20)),
    runs: ['x', 'y', 'xy'],
    backend: 'webgpu',
    maxSeconds: 0,
    pairId: null,
  });
  await until(() => lab.state === 'done' || lab.state === 'failed', 280_000, 'training to finish');
  expect(events.filter((e) => e.startsWith('error'))).toEqual([]);
  expect(lab.state).toBe('done');
  expect(lab.backend?.name).toBe('webgpu');
  expect(lab.runs.map((r) => r.name)).toEqual(['x', 'y', 'xy']);
  for (const run of ['x', 'y', 'xy']) {
    expect(events).toContain(`${run}:step`);
    expect(events).toContain(`${run}:log`);
    expect(events).toContain(`${run}:eval`);
    const view = lab.runs.find((r) => r.name === run)!;
    expect(view.step).toBe(2);
    expect(view.curves.val.X.length).toBeGreaterThanOrEqual(2); // step 0 and step 2
    expect(view.val.Y.bitsPerByte).toBeGreaterThan(0);
  }
  expect(lab.comparison.conditional['Y|X joint'].windows).toBeGreaterThan(0);
  // gzip and the context model on the same bytes, from the baselines worker the training worker starts
  await until(() => !!lab.baselines.Y && !!lab.baselines.X, 60_000, 'the baselines');
  expect(lab.baselines.Y.gzipBytes.at(-1)).toBeGreaterThan(0);
  expect(lab.baselines.Y.ctxGivenBits).not.toBeNull();
  expect(lab.summary?.runs.xy.steps).toBe(2);
  await lab.forget();
});
