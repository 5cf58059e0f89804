// Backend choice: webgpu → wasm → cpu. 'auto' takes WebGPU only on a hardware adapter: a software one
// (SwiftShader, llvmpipe) is slower than wasm. Works the same in a browser worker and in Node, where the
// caller first installs navigator.gpu (src/cli/node-webgpu.ts).
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { BACKEND_CHOICES, UserError, type BackendChoice } from './config.ts';
import { probeWebGPU } from './gpu.ts';
import type { EmbedMode } from './model/gpt.ts';
import type { BackendRate } from './race.ts';

export type BackendName = 'webgpu' | 'wasm' | 'cpu';

export interface BackendInfo {
  name: BackendName;
  adapter: string | null; // the WebGPU adapter's description, when on webgpu
  software: boolean; // a software WebGPU adapter (SwiftShader, llvmpipe)
  threads: number | null; // wasm: the threads its kernels use (1 without cross-origin isolation, and in Node)
  note: string; // what auto tried and why it chose this, in words
  rates?: BackendRate[]; // 'auto' with a hardware GPU: each candidate's measured speed (src/lib/race.ts)
}

export interface BackendOptions {
  wasmPaths?: string | Record<string, string>; // where the .wasm files are served (browsers)
  onDeviceLost?: (message: string) => void;
}

/** The embedding lookup for each backend: wasm lacks UnsortedSegmentSum, the gather's gradient, and on cpu
 *  it is slower than the one-hot matmul (2.6 s of a 5.4 s nano step, measured with tf.profile). */
export function embedModeFor(backend: string): EmbedMode {
  return backend === 'webgpu' ? 'gather' : 'onehot';
}

async function useWebGPU(adapter: GPUAdapter, opts: BackendOptions): Promise<void> {
  const limits = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    // tfjs-backend-webgpu asks for the adapter's maxima too (src/base.ts)
    requiredLimits: {
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    },
  });
  // every loss is reported, 'destroyed' too: kxy never destroys its device itself (only a test hook does)
  void device.lost.then((info) => opts.onDeviceLost?.(`the GPU device was lost (${info.reason}${info.message ? `: ${info.message.replace(/\.$/, '')}` : ''})`));
  // Our own factory, so that we choose the adapter and hear about a lost device.
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info), 3);
  if (!(await tf.setBackend('webgpu'))) throw new UserError('the WebGPU backend failed to start');
}

async function useBackend(name: 'wasm' | 'cpu', opts: BackendOptions): Promise<void> {
  if (name === 'wasm' && opts.wasmPaths) setWasmPaths(opts.wasmPaths);
  // registry, not findBackend: findBackend would start the module once more, without withAllCores
  const ok = name === 'wasm' && !tf.engine().registry['wasm'] ? await withAllCores(() => tf.setBackend(name)) : await tf.setBackend(name);
  if (!ok) throw new UserError(`the ${name} backend failed to start`);
}

/** tfjs-backend-wasm caps its thread pool at navigator.hardwareConcurrency / 2, read when its module starts
 *  (backend.cc: "many x86-64 processors have 2 threads per core"), so 2 logical cores give 1 thread. To use
 *  every logical core, it is shown twice the count while it starts, and asked for the real count. Only where
 *  threads exist: a cross-origin-isolated browser context. */
async function withAllCores<T>(start: () => Promise<T>): Promise<T> {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  const nav = g.navigator;
  const cores = nav?.hardwareConcurrency ?? 1;
  if (!nav || g.crossOriginIsolated !== true || cores < 2) return start();
  setThreadsCount(cores);
  Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * cores, configurable: true });
  try {
    return await start();
  } finally {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency; // the prototype's getter again
  }
}

/** How the wasm backend runs, in words. tfjs picks its threaded-SIMD build only where SharedArrayBuffer can be
 *  shared with workers: a cross-origin-isolated page (COOP + COEP headers, vite.config.ts and public/_headers).
 *  tfjs-backend-wasm 4.22 starts no threads in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there); the CLI and
 *  bench start its threaded build themselves (src/cli/node-wasm-threads.ts). */
function wasmNote(threads: number): string {
  if (threads > 1) return `wasm: threaded SIMD on ${threads} threads`;
  const g = globalThis as { crossOriginIsolated?: boolean; process?: { versions?: { node?: string } } };
  if (g.process?.versions?.node) return 'wasm: single-threaded SIMD (in Node, src/cli/node-wasm-threads.ts starts the threaded build)';
  if (g.crossOriginIsolated !== true) return 'wasm: single-threaded SIMD, because the page is not cross-origin isolated (its server sends no COOP/COEP headers)';
  return 'wasm: single-threaded SIMD (threads unavailable here)';
}

// tfjs answers false to the earlier of two overlapping setBackend calls (a page's warm-up 'auto' and
// the user's first 'wasm', say), so backend changes wait for one another.
let queue: Promise<unknown> = Promise.resolve();

/** Sets the tfjs backend and says what it got. 'webgpu', 'wasm' and 'cpu' are taken as asked, or fail. */
export function selectBackend(choice: BackendChoice, opts: BackendOptions = {}): Promise<BackendInfo> {
  const next = queue.then(() => pickBackend(choice, opts));
  queue = next.catch(() => undefined);
  return next;
}

async function pickBackend(choice: BackendChoice, opts: BackendOptions): Promise<BackendInfo> {
  if (!BACKEND_CHOICES.includes(choice)) throw new UserError(`unknown backend '${String(choice)}' (choose ${BACKEND_CHOICES.join(', ')})`);
  const notes: string[] = [];
  if (choice === 'webgpu' || choice === 'auto') {
    const probe = await probeWebGPU();
    if (!probe.adapter) {
      if (choice === 'webgpu') throw new UserError(probe.reason);
      notes.push(probe.reason);
    } else if (probe.software && choice === 'auto') {
      notes.push(probe.reason);
    } else {
      await useWebGPU(probe.adapter, opts);
      return { name: 'webgpu', adapter: probe.description, software: probe.software, threads: null, note: notes.concat(`webgpu on ${probe.description}`).join('; ') };
    }
  }
  for (const name of choice === 'auto' ? (['wasm', 'cpu'] as const) : [choice as 'wasm' | 'cpu']) {
    try {
      await useBackend(name, opts);
      const threads = name === 'wasm' ? getThreadsCount() : null;
      return { name, adapter: null, software: false, threads, note: notes.concat(name === 'wasm' ? wasmNote(threads!) : `using ${name}`).join('; ') };
    } catch (e) {
      if (choice !== 'auto') throw e;
      notes.push(`${name} failed: ${(e as Error).message}`);
    }
  }
  throw new UserError(`no backend could start: ${notes.join('; ')}`);
}
