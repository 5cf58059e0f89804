// Gives Node a navigator.gpu from the npm package `webgpu` (Dawn), before tfjs-backend-webgpu is used.
// Dawn finds GPUs through Vulkan; without a GPU, Debian's chromium ships SwiftShader's Vulkan driver.
import { existsSync } from 'node:fs';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export async function installNodeWebGPU(): Promise<boolean> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return true;
  let mod: { create: (opts: string[]) => unknown; globals: Record<string, unknown> };
  try {
    mod = (await import('webgpu')) as never;
  } catch {
    return false;
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return true;
}

/** A hint for when WebGPU finds no adapter in Node. */
export function webgpuHint(): string {
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return '';
  return existsSync(SWIFTSHADER_ICD)
    ? ` (no Vulkan GPU found; to use the software driver, set VK_ICD_FILENAMES=${SWIFTSHADER_ICD})`
    : ' (no Vulkan GPU found; install a Vulkan driver, or apt install chromium libvulkan1 for the software one)';
}
