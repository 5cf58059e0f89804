// 'auto' as a race: where a hardware GPU is there, time a few training steps of the chosen preset on wasm and
// on WebGPU and keep the faster, so a weak integrated GPU that loses to threaded wasm is never chosen by
// mistake. The choice is a pure function of the measured rates (pickFastest), tested with made-up timings.
import type { BackendInfo, BackendName } from './backend.ts';

/** One candidate's measured speed; null where it failed (error says why). */
export interface BackendRate {
  name: BackendName;
  tokensPerSecond: number | null;
  error?: string;
}

/** The fastest measured backend; on a tie the one listed first. Null when none has a rate. */
export function pickFastest(rates: readonly BackendRate[]): BackendName | null {
  let best: BackendRate | null = null;
  for (const r of rates) {
    if (r.tokensPerSecond == null || !Number.isFinite(r.tokensPerSecond) || r.tokensPerSecond <= 0) continue;
    if (!best || r.tokensPerSecond > best.tokensPerSecond!) best = r;
  }
  return best?.name ?? null;
}

export interface RaceDeps {
  /** Whether a hardware WebGPU adapter is there (a software one such as SwiftShader does not count). */
  hardwareGPU: () => Promise<boolean>;
  /** Makes `name` the current backend (or 'auto': the plain choice, used when there is nothing to race). */
  use: (name: BackendName | 'auto') => Promise<BackendInfo>;
  /** Tokens per second of the chosen preset's training step on the current backend. */
  time: () => Promise<number>;
}

/** The race, in the order wasm then WebGPU (so that a GPU win needs no switch back). Returns the winner's
 *  info with every candidate's rate in `rates` and the outcome in `note`. */
export async function raceBackends(deps: RaceDeps, what: string): Promise<BackendInfo> {
  if (!(await deps.hardwareGPU())) return deps.use('auto'); // one candidate: nothing to time
  const rates: BackendRate[] = [];
  const infos = new Map<BackendName, BackendInfo>();
  for (const name of ['wasm', 'webgpu'] as const) {
    try {
      infos.set(name, await deps.use(name));
      rates.push({ name, tokensPerSecond: await deps.time() });
    } catch (e) {
      rates.push({ name, tokensPerSecond: null, error: (e as Error).message });
    }
  }
  const winner = pickFastest(rates);
  if (!winner) return { ...(await deps.use('auto')), rates, note: `auto could time no backend (${rates.map((r) => `${r.name}: ${r.error}`).join('; ')})` };
  const info = winner === 'webgpu' && infos.has('webgpu') ? infos.get('webgpu')! : await deps.use(winner);
  const told = rates.map((r) => `${r.name} ${r.tokensPerSecond == null ? `failed (${r.error})` : `${Math.round(r.tokensPerSecond)} tokens/s`}`).join(', ');
  return { ...info, rates, note: `auto timed ${what} on each backend: ${told}; chose ${winner}; ${info.note}` };
}
