// A run resumed from a checkpoint continues exactly as if it had never stopped: same weights, same
// optimizer moments, same prequential code (window by window), with replay. This is what lets the page survive a reload.
import { beforeAll, describe, expect, it } from 'vitest';
import { planExperiment } from '../src/lib/harness.ts';
import { readWeights } from '../src/lib/model/gpt.ts';
import { Run, train } from '../src/lib/train/loop.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

async function drain(run: Run, untilStep: number): Promise<void> {
  const gen = train(run);
  for (let r = await gen.next(); !r.done; r = await gen.next()) if (r.value.type === 'step' && run.step >= untilStep) break;
  await gen.return(undefined);
}

describe('checkpoint and resume', () => {
  it('gives the same weights and code as an uninterrupted run', async () => {
    const cfg = tinyConfig({ passes: 2, replay: 1, logEvery: 2, evalEvery: 100 });
    const exp = planExperiment({ cfg, x: encode('one fish two fish red fish blue fish. '.repeat(30)), y: encode('I do not like green eggs and ham. '.repeat(30)), runs: ['xy'], embed: 'onehot' });
    const spec = { ...exp.specs[0], init: exp.init };

    const straight = new Run(spec);
    await drain(straight, straight.totalSteps);

    const first = new Run(spec);
    await drain(first, 7);
    const ck = await first.checkpoint();
    first.dispose();
    const resumed = new Run(spec, structuredClone(ck));
    expect(resumed.step).toBe(7);
    await drain(resumed, resumed.totalSteps);

    expect(resumed.step).toBe(straight.step);
    expect(resumed.prequential).toEqual(straight.prequential);
    expect(resumed.trace).toEqual(straight.trace);
    const [a, b] = [await readWeights(straight.params), await readWeights(resumed.params)];
    for (const name of Object.keys(a)) expect(Array.from(b[name]), name).toEqual(Array.from(a[name]));
    straight.dispose();
    resumed.dispose();
  });
});
