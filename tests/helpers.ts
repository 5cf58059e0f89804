// Shared test helpers: backend setup (including Dawn's WebGPU in Node) and small configs.
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../src/lib/backend.ts';
import { installNodeWebGPU } from '../src/cli/node-webgpu.ts';
import { resolveConfig, type RunConfig } from '../src/lib/config.ts';

tf.enableProdMode(); // as the CLI and the app run; also silences tfjs's advice to install tfjs-node

export async function useBackend(name: BackendName): Promise<void> {
  if (name === 'webgpu') await installNodeWebGPU();
  await selectBackend(name);
}

/** Whether a WebGPU adapter is reachable; under CI (CI=true) a missing one is an error, not a skip. */
export async function webgpuAvailable(): Promise<boolean> {
  await installNodeWebGPU();
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  if (!adapter) {
    if (process.env.CI === 'true') throw new Error('CI=true but no WebGPU adapter: install chromium and libvulkan1 (SwiftShader) or run on a GPU');
    console.warn('SKIPPING webgpu tests: no WebGPU adapter here (apt install chromium libvulkan1 gives SwiftShader)');
    return false;
  }
  return true;
}

/** A config small enough to train in a test: override what the test needs. */
export function tinyConfig(o: Partial<RunConfig> = {}): Readonly<RunConfig> {
  return resolveConfig('nano', { blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 16, batchSize: 4, evalWindows: 8, replay: 0, ...o });
}

export const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
