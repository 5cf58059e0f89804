// A quick look at WebGPU from the page, before the worker has started: what 'auto' is likely to pick.
// The worker's own choice (src/lib/backend.ts) replaces this as soon as it reports.
import { probeWebGPU } from '../lib/gpu.ts';

export interface GpuProbe {
  adapter: string | null; // the adapter's description, if there is one
  software: boolean; // SwiftShader, llvmpipe and the like: slower than wasm
  reason: string; // in words
}

export async function probeGpu(): Promise<GpuProbe> {
  const p = await probeWebGPU();
  return { adapter: p.description, software: p.software, reason: p.software ? 'WebGPU adapter is software' : p.reason };
}
