// A lost GPU device, in Chromium with WebGPU on SwiftShader: the worker's test hook destroys the device
// during training (or while paused); every run resumes from its last checkpoint on a new device (or on wasm
// when WebGPU does not come back), finishes all its steps, and the page's header says what happened. The
// reference: the same experiment trained without a fault codes exactly the same windows.
import { flushSync, mount, unmount } from 'svelte';
import { expect, it } from 'vitest';
import { Lab } from '../../src/app/runs.svelte.ts';
import { resolveConfig, type RunName } from '../../src/lib/config.ts';
import Header from '../../src/ui/Header.svelte';
import { Page } from '../../src/ui/page.svelte.ts';
import { Settings } from '../../src/ui/settings.svelte.ts';
import type { Summary } from '../../src/lib/harness.ts';
import type { BackendChoice } from '../../src/lib/config.ts';
import type { FromWorker } from '../../src/worker/protocol.ts';

const enc = new TextEncoder();
const source = (label: string, text: string) => ({ label, bytes: enc.encode(text).buffer as ArrayBuffer });
const STEPS = 4;
// tiny: SwiftShader takes seconds per step of even this
const cfg = resolveConfig('nano', { steps: STEPS, blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, batchSize: 2, replay: 0, logEvery: 1, evalEvery: STEPS, evalWindows: 1 });
const RUNS: RunName[] = ['x', 'y'];

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Lab on a real worker, training x and y; records errors and the backends it reports. */
function startLab(backend: BackendChoice = 'webgpu'): { lab: Lab; errors: string[]; backends: string[] } {
  const lab = new Lab(() => new Worker(new URL('../../src/worker/train.worker.ts', import.meta.url), { type: 'module' }));
  const errors: string[] = [];
  const backends: string[] = [];
  const handle = lab.handle.bind(lab);
  lab.handle = (m: FromWorker) => {
    if (m.type === 'error' && !m.message.startsWith('baselines:')) errors.push(m.message); // gzip's worker: not this test's
    if (m.type === 'event' && m.event.type === 'error') errors.push(m.event.message);
    if (m.type === 'backend') backends.push(m.info.name);
    handle(m);
  };
  lab.start({
    cfg,
    x: source('x.txt', 'Whan that Aprille with his shoures soote the droghte of March hath perced to the roote. '.repeat(8)),
    y: source('y.txt', 'When April with its sweet-smelling showers has pierced the drought of March to the root. '.repeat(8)),
    runs: RUNS,
    backend,
    maxSeconds: 0,
    pairId: null,
  });
  return { lab, errors, backends };
}

/** Pauses once every run has taken a step; resolves with the steps of the checkpoint taken at the pause. */
async function pauseWithCheckpoint(lab: Lab): Promise<Record<string, number>> {
  await until(() => lab.runs.length === RUNS.length && lab.runs.every((r) => r.step >= 1), 120_000, 'a step of every run');
  lab.pause();
  await until(() => lab.state === 'paused' && Object.keys(lab.checkpointSteps).length === RUNS.length, 60_000, 'the pause checkpoint');
  return { ...lab.checkpointSteps };
}

/** The same experiment without a fault (on wasm: quick), once. */
let reference: Promise<{ summary: Summary; windows: Record<string, number> }> | null = null;
function uninterrupted(): Promise<{ summary: Summary; windows: Record<string, number> }> {
  reference ??= (async () => {
    const { lab, errors } = startLab('wasm');
    await until(() => lab.state === 'done' || lab.state === 'failed', 60_000, 'the reference run');
    expect(errors).toEqual([]);
    const windows = Object.fromEntries(lab.runs.flatMap((r) => Object.entries(r.traces).map(([s, t]) => [`${r.name}|${s}`, t.bits.length])));
    const summary = JSON.parse(JSON.stringify(lab.summary)) as Summary;
    await lab.forget();
    return { summary, windows };
  })();
  return reference;
}

async function expectFinished(lab: Lab, errors: string[], checkpoint: Record<string, number>): Promise<void> {
  expect(errors).toEqual([]);
  expect(lab.state).toBe('done');
  const ref = await uninterrupted();
  for (const r of lab.runs) {
    expect(r.startStep, `run ${r.name} resumed from its checkpoint`).toBe(checkpoint[r.name]);
    expect(r.step).toBe(STEPS);
    const s = lab.summary!.runs[r.name];
    const want = ref.summary.runs[r.name];
    expect(s.steps).toBe(STEPS);
    expect(s.tokens).toBe(want.tokens);
    // every window coded exactly once, as without the fault: none lost with the device, none counted twice
    for (const [src, c] of Object.entries(want.prequential)) {
      expect(s.prequential[src].tokens).toBe(c.tokens);
      expect(s.prequential[src].bytes).toBe(c.bytes);
      expect(s.prequential[src].bits).toBeCloseTo(c.bits, 0); // another backend's rounding, not another code
      expect(r.traces[src].bits.length, `the page's code trace of ${r.name} on ${src}`).toBe(ref.windows[`${r.name}|${src}`]);
    }
  }
}

it('a device lost while training: every run resumes from its checkpoint on a new WebGPU device and finishes', async () => {
  const adapter = await navigator.gpu?.requestAdapter();
  expect(adapter, 'Chromium offers no WebGPU adapter (is it started with --enable-unsafe-webgpu?)').toBeTruthy();
  const { lab, errors, backends } = startLab();
  const checkpoint = await pauseWithCheckpoint(lab);
  expect(Object.values(checkpoint).every((s) => s >= 1 && s < STEPS)).toBe(true);
  lab.resume();
  lab.debugWorker('loseDevice'); // right after resuming: the next step meets the destroyed device
  await until(() => lab.state === 'done' || lab.state === 'failed', 180_000, 'training to finish');
  await expectFinished(lab, errors, checkpoint);
  const at = RUNS.map((r) => `${r} at step ${checkpoint[r]}`).join(', ');
  expect(lab.recovery).toMatch(new RegExp(`^the GPU device was lost \\(destroyed.*\\) at .+; resumed from the last checkpoint \\(${at}\\) on webgpu$`));
  expect(backends).toEqual(['webgpu', 'webgpu']);
  expect(lab.backend?.note).toContain('the GPU device was lost');
  // the header says it
  const target = document.createElement('div');
  document.body.append(target);
  const page = new Page(lab, new Settings({ backend: 'webgpu' }), false);
  const header = mount(Header, { target, props: { page } });
  flushSync();
  expect(target.querySelector('[data-testid="recovery"]')?.textContent).toContain(`The GPU device was lost (destroyed`);
  expect(target.querySelector('[data-testid="recovery"]')?.textContent).toContain(`resumed from the last checkpoint (${at}) on webgpu`);
  expect(target.querySelector('[data-testid="backend-info"]')?.textContent).toMatch(/webgpu/);
  void unmount(header);
  target.remove();
  await lab.forget();
});

it('a device lost while paused, and WebGPU does not come back: the runs resume on wasm, stay paused, and finish', async () => {
  const { lab, errors, backends } = startLab();
  const checkpoint = await pauseWithCheckpoint(lab);
  lab.debugWorker('loseDevice', true);
  await until(() => /on wasm/.test(lab.recovery ?? ''), 60_000, 'the recovery on wasm');
  const at = RUNS.map((r) => `${r} at step ${checkpoint[r]}`).join(', ');
  expect(lab.recovery).toMatch(new RegExp(`resumed from the last checkpoint \\(${at}\\) on wasm \\(WebGPU did not come back \\(test hook\\)\\)$`));
  await until(() => lab.state === 'paused', 30_000, 'paused again');
  expect(lab.runs.map((r) => r.step)).toEqual(RUNS.map((r) => checkpoint[r]));
  lab.resume();
  await until(() => lab.state === 'done' || lab.state === 'failed', 120_000, 'training to finish');
  await expectFinished(lab, errors, checkpoint);
  expect(backends).toEqual(['webgpu', 'wasm']);
  expect(lab.backend?.name).toBe('wasm');
  // the models live on the new backend
  expect((await lab.sample('y', 'When ', { maxTokens: 8, temperature: 1, topK: 0, seed: 1 })).length).toBeGreaterThan(0);
  await lab.forget();
});
