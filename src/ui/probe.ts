// A quick look at WebGPU from the page, before the worker has started: what 'auto' is likely to pick.
// The worker's own choice (src/lib/backend.ts) replaces this as soon as it reports.

export interface GpuProbe {
  adapter: string | null; // the adapter's description, if there is one
  software: boolean; // SwiftShader, llvmpipe and the like: slower than wasm
  reason: string; // in words
}

export async function probeGpu(): Promise<GpuProbe> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { adapter: null, software: false, reason: 'no WebGPU in this browser' };
  try {
    const a = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!a) return { adapter: null, software: false, reason: 'WebGPU found no adapter' };
    const i = a.info;
    const text = [i?.vendor, i?.architecture, i?.device, i?.description].filter(Boolean).join(' ') || 'unknown adapter';
    const fallback = (i as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
    const software = fallback || /swiftshader|llvmpipe|lavapipe|software|microsoft basic/i.test(text);
    return { adapter: text, software, reason: software ? 'WebGPU adapter is software' : `WebGPU on ${text}` };
  } catch (e) {
    return { adapter: null, software: false, reason: `WebGPU failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
