// A dead training worker, in Debian's chromium: the worker's test hooks throw an uncaught error, or end it
// silently (as a killed worker goes). The page notices (the worker's 'error' event; its heartbeat), starts a
// new worker, offers to resume, and resuming finishes every run from its last checkpoint.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { useApp } from './serve.ts';

const app = useApp();

type Lab = { state: string; runs: { name: string; step: number; startStep: number; totalSteps: number }[]; checkpointSteps: Record<string, number>; errors: string[]; crashed: string | null };
const lab = (page: Page): Promise<Lab> =>
  page.evaluate(() => {
    const l = (window as any).kxy.lab;
    const runs = l.runs.map((r: Lab['runs'][number]) => ({ name: r.name, step: r.step, startStep: r.startStep, totalSteps: r.totalSteps }));
    return { state: l.state, runs, checkpointSteps: { ...l.checkpointSteps }, errors: [...l.errors], crashed: l.crashed };
  });

// tiny (16-token windows, 2 per step): the point is the worker's death, not the training
async function open(steps: number): Promise<Page> {
  const context = await app.browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${app.url}?preset=nano&backend=wasm&steps=${steps}&block=16&batch=2&control=none`);
  await expect.poll(async () => (await page.getByTestId('x-info').textContent()) ?? '', { timeout: 60_000 }).toMatch(/tokens/);
  return page;
}

/** Resumes from the banner and trains to the end; every run starts where `from` says and finishes. */
async function resumeToEnd(page: Page, from: Record<string, number>): Promise<void> {
  await page.getByTestId('resume-stored').click();
  await expect.poll(async () => page.getByTestId('state').textContent(), { timeout: 120_000, interval: 500 }).toMatch(/done|failed/);
  const end = await lab(page);
  expect(end.state).toBe('done');
  expect(end.crashed).toBeNull();
  expect(await page.getByTestId('resume-stored').count()).toBe(0);
  for (const r of end.runs) {
    expect(r.startStep, `run ${r.name} resumed from its checkpoint`).toBe(from[r.name] ?? 0);
    expect(r.step).toBe(r.totalSteps);
  }
}

it('an uncaught error in the worker: the page starts a new one and offers to resume; resuming finishes from the checkpoint', async () => {
  const page = await open(4);
  await page.getByTestId('train').click();
  // steps take milliseconds here: the page itself pauses at the first steps (the pause stores a checkpoint)
  await page.waitForFunction(
    () => {
      const l = (window as any).kxy.lab;
      const go = l.state === 'running' && l.runs.some((r: { step: number }) => r.step >= 1);
      if (go) l.pause();
      return go;
    },
    undefined,
    { polling: 10, timeout: 60_000 },
  );
  await expect.poll(async () => Object.keys((await lab(page)).checkpointSteps).length, { timeout: 30_000, interval: 100 }).toBeGreaterThan(0);
  const checkpoint = (await lab(page)).checkpointSteps;
  expect(Object.values(checkpoint).some((s) => s > 0)).toBe(true);
  await page.evaluate(() => (window as any).kxy.lab.debugWorker('crash'));
  await expect.poll(async () => (await page.getByTestId('resume-stored').isVisible()), { timeout: 10_000 }).toBe(true);
  expect(await page.getByRole('status').filter({ hasText: 'training worker stopped' }).textContent()).toMatch(/The training worker stopped \(it crashed: .*test hook: an uncaught error\), and a new one was started/);
  expect(await page.getByTestId('state').textContent()).toBe('stopped');
  expect((await lab(page)).errors.join('\n')).toMatch(/A new one was started; resuming continues every run from its last checkpoint/);
  await resumeToEnd(page, checkpoint);
  await page.context().close();
});

it('a worker gone silent while training: the heartbeat notices, and resuming (nothing stored yet) trains again from the start', async () => {
  const page = await open(40); // it never trains to the end
  await page.evaluate(() => ((window as any).kxy.lab.deadAfterMs = 3000)); // 15 s in use: quicker here
  await page.getByTestId('train').click();
  await page.waitForFunction(
    () => {
      const l = (window as any).kxy.lab;
      const go = l.state === 'running' && l.runs.some((r: { step: number }) => r.step >= 1);
      if (go) l.debugWorker('close');
      return go;
    },
    undefined,
    { polling: 10, timeout: 60_000 },
  );
  // dead after max(deadAfterMs, 4× the longest silence seen): a slow first step on a loaded machine stretches it
  await expect.poll(async () => (await page.getByTestId('resume-stored').isVisible()), { timeout: 60_000 }).toBe(true);
  expect((await lab(page)).crashed).toMatch(/^it sent nothing for \d+ s$/);
  expect((await lab(page)).checkpointSteps).toEqual({});
  // a new worker trains again (from step 0: nothing was stored); the first test resumes to the end
  await page.getByTestId('resume-stored').click();
  // generous: beside the other e2e files on two cores, a new worker's start and a stop have taken over 30 s
  await expect.poll(async () => (await lab(page)).runs.some((r) => r.step >= 1 && r.startStep === 0), { timeout: 120_000, interval: 100 }).toBe(true);
  expect((await lab(page)).crashed).toBeNull();
  await page.getByTestId('stop').click();
  await expect.poll(async () => page.getByTestId('state').textContent(), { timeout: 120_000, interval: 100 }).toMatch(/stopped|done/);
  await page.context().close();
});
