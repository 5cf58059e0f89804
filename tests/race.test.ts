// 'auto' as a race (src/lib/race.ts): the choice from made-up timings, with fake backends; nothing is timed.
import { describe, expect, it } from 'vitest';
import type { BackendInfo, BackendName } from '../src/lib/backend.ts';
import { pickFastest, raceBackends, type RaceDeps } from '../src/lib/race.ts';

const info = (name: BackendName): BackendInfo => ({ name, adapter: name === 'webgpu' ? 'Fake GPU' : null, software: false, threads: name === 'wasm' ? 4 : null, note: `on ${name}` });

/** Fake backends: `speed[name]` is the rate time() reports while `name` is current, or an Error it throws. */
function fake(gpu: boolean, speed: Partial<Record<BackendName, number | Error>>) {
  const used: string[] = [];
  let current: BackendName = 'cpu';
  const deps: RaceDeps = {
    hardwareGPU: async () => gpu,
    use: async (name) => {
      used.push(name);
      current = name === 'auto' ? (gpu ? 'webgpu' : 'wasm') : name;
      return info(current);
    },
    time: async () => {
      const s = speed[current];
      if (s instanceof Error) throw s;
      if (s === undefined) throw new Error(`no rate for ${current}`);
      return s;
    },
  };
  return { deps, used, current: () => current };
}

describe('pickFastest', () => {
  it('takes the highest rate, the first on a tie, and skips failed or meaningless rates', () => {
    expect(pickFastest([{ name: 'wasm', tokensPerSecond: 12_000 }, { name: 'webgpu', tokensPerSecond: 40_000 }])).toBe('webgpu');
    expect(pickFastest([{ name: 'wasm', tokensPerSecond: 12_000 }, { name: 'webgpu', tokensPerSecond: 9_000 }])).toBe('wasm');
    expect(pickFastest([{ name: 'wasm', tokensPerSecond: 5 }, { name: 'webgpu', tokensPerSecond: 5 }])).toBe('wasm');
    expect(pickFastest([{ name: 'wasm', tokensPerSecond: NaN }, { name: 'webgpu', tokensPerSecond: 0 }, { name: 'cpu', tokensPerSecond: 1 }])).toBe('cpu');
    expect(pickFastest([{ name: 'webgpu', tokensPerSecond: null, error: 'lost' }, { name: 'wasm', tokensPerSecond: Infinity }])).toBeNull();
    expect(pickFastest([])).toBeNull();
  });
});

describe('raceBackends', () => {
  it('without a hardware GPU takes the plain choice and times nothing', async () => {
    const f = fake(false, {});
    const got = await raceBackends(f.deps, '3 steps of nano');
    expect(got.name).toBe('wasm');
    expect(got.rates).toBeUndefined();
    expect(f.used).toEqual(['auto']);
  });

  it('keeps a GPU that wins, without switching back, and reports both rates', async () => {
    const f = fake(true, { wasm: 12_000, webgpu: 41_000 });
    const got = await raceBackends(f.deps, '3 steps of micro');
    expect(got.name).toBe('webgpu');
    expect(got.adapter).toBe('Fake GPU');
    expect(f.used).toEqual(['wasm', 'webgpu']);
    expect(f.current()).toBe('webgpu');
    expect(got.rates).toEqual([
      { name: 'wasm', tokensPerSecond: 12_000 },
      { name: 'webgpu', tokensPerSecond: 41_000 },
    ]);
    expect(got.note).toMatch(/3 steps of micro.*wasm 12000 tokens\/s, webgpu 41000 tokens\/s; chose webgpu/);
  });

  it('goes back to wasm when a weak GPU loses to it', async () => {
    const f = fake(true, { wasm: 12_000, webgpu: 3_000 });
    const got = await raceBackends(f.deps, '3 steps of nano');
    expect(got.name).toBe('wasm');
    expect(f.used).toEqual(['wasm', 'webgpu', 'wasm']);
    expect(f.current()).toBe('wasm');
    expect(got.note).toMatch(/chose wasm/);
  });

  it('takes the other backend when one fails, and says why', async () => {
    const f = fake(true, { wasm: 12_000, webgpu: new Error('device lost') });
    const got = await raceBackends(f.deps, '3 steps of nano');
    expect(got.name).toBe('wasm');
    expect(f.current()).toBe('wasm');
    expect(got.rates?.[1]).toEqual({ name: 'webgpu', tokensPerSecond: null, error: 'device lost' });
    expect(got.note).toMatch(/webgpu failed \(device lost\)/);
  });

  it('falls back to the plain choice when neither can be timed', async () => {
    const f = fake(true, { wasm: new Error('no memory'), webgpu: new Error('device lost') });
    const got = await raceBackends(f.deps, '3 steps of nano');
    expect(f.used.at(-1)).toBe('auto');
    expect(got.note).toMatch(/could time no backend.*wasm: no memory.*webgpu: device lost/);
  });
});
