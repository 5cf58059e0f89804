// What WebGPU offers here, without TensorFlow.js: the adapter, its description, and whether it is
// software (SwiftShader, llvmpipe), which is slower than wasm. The worker and the page both ask.

export interface GpuProbe {
  adapter: GPUAdapter | null;
  description: string | null; // vendor, architecture, device and description, as the adapter gives them
  software: boolean;
  reason: string; // in words
}

export async function probeWebGPU(): Promise<GpuProbe> {
  const none = (reason: string): GpuProbe => ({ adapter: null, description: null, software: false, reason });
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return none('WebGPU is not available here (no navigator.gpu)');
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return none(`WebGPU adapter request failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!adapter) return none('WebGPU found no adapter');
  const info = adapter.info;
  const description = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
  const fallback = (info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter === true;
  const software = fallback || /swiftshader|llvmpipe|lavapipe|software|microsoft basic/i.test(description);
  return { adapter, description, software, reason: software ? `WebGPU adapter '${description}' is software rendering, slower than wasm` : `WebGPU on ${description}` };
}
