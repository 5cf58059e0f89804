// The worker's 'auto' once the preset is known: races wasm against a hardware GPU (src/lib/race.ts) with the
// duration probe's steps, once per model shape, and keeps each candidate's probe times for the estimate.
import * as tf from '@tensorflow/tfjs';
import { embedModeFor, selectBackend, type BackendInfo, type BackendName, type BackendOptions } from '../lib/backend.ts';
import type { RunConfig } from '../lib/config.ts';
import { probeWebGPU } from '../lib/gpu.ts';
import { raceBackends } from '../lib/race.ts';
import { probeSteps, type ProbeTimes } from './probe.ts';

export const RACE_STEPS = 3;

/** What a step's speed depends on: the model's shapes, the batch and replay (not the data). */
export const shapeKey = (c: RunConfig) => JSON.stringify([c.nLayer, c.nHead, c.nEmbd, c.blockSize, c.batchSize, c.replay, c.evalWindows, c.dropout]);

const winners = new Map<string, BackendInfo>(); // shape key → the race's result
const probed = new Map<string, ProbeTimes>(); // shape key + backend → its probe times
const started = new Map<BackendName, BackendInfo>(); // backends this worker has started, to switch back without a new device

async function use(name: BackendName | 'auto', opts: BackendOptions): Promise<BackendInfo> {
  const had = name === 'auto' ? undefined : started.get(name);
  // a started backend is switched to, not started again: a second WebGPU device would drop the first one's tensors
  if (had && tf.engine().registry[name] && (await tf.setBackend(name))) return had;
  const info = await selectBackend(name, opts);
  started.set(info.name, info);
  return info;
}

/** The backend 'auto' trains `cfg` on: the race's winner (raced on first sight of this shape). Null when the
 *  current backend is already it. */
export async function autoBackend(cfg: RunConfig, opts: BackendOptions, current: BackendInfo | null): Promise<BackendInfo | null> {
  const key = shapeKey(cfg);
  const known = winners.get(key);
  if (known) return current?.name === known.name ? null : { ...(await use(known.name, opts)), rates: known.rates, note: known.note };
  const info = await raceBackends(
    {
      hardwareGPU: async () => {
        const p = await probeWebGPU();
        return !!p.adapter && !p.software;
      },
      use: (name) => use(name, opts),
      time: async () => {
        const times = await probeSteps(cfg, RACE_STEPS, embedModeFor(tf.getBackend()));
        probed.set(key + tf.getBackend(), times);
        return (cfg.batchSize * cfg.blockSize) / times.secondsPerStep; // new tokens per second, as bench/ counts them
      },
    },
    `${RACE_STEPS} steps of ${cfg.preset}`,
  );
  winners.set(key, info);
  return current?.name === info.name && !info.rates ? null : info;
}

/** The race's probe times of `cfg` on `backend`, if it timed them. */
export function racedTimes(cfg: RunConfig, backend: string): ProbeTimes | undefined {
  return probed.get(shapeKey(cfg) + backend);
}
