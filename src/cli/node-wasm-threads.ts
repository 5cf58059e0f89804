// Threaded wasm in Node: tfjs-backend-wasm 4.22 never picks its threaded-SIMD build in Node (its
// WASM_HAS_MULTITHREAD_SUPPORT flag answers false there, tfjs issue #3830), although emscripten's build runs
// its pthreads on worker_threads. This registers a 'wasm' backend that starts that build itself.
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);
const OUT = '@tensorflow/tfjs-backend-wasm/wasm-out/';

type Factory = (config: Record<string, unknown>) => Promise<Record<string, unknown> & { cwrap: (...a: unknown[]) => unknown }>;

/** Registers the threaded 'wasm' backend with `threads` XNNPACK threads (default: every logical core).
 *  Call it before the wasm backend first starts; returns false (and changes nothing) where it cannot. */
export function installNodeWasmThreads(threads: number = os.availableParallelism()): boolean {
  if (threads < 2 || tf.engine().registry['wasm']) return false;
  let factory: Factory;
  let workerSource: string;
  try {
    factory = require(OUT + 'tfjs-backend-wasm-threaded-simd.js');
    workerSource = require(OUT + 'tfjs-backend-wasm-threaded-simd.worker.js').wasmWorkerContents;
  } catch {
    return false;
  }
  // The pthread worker's script is shipped as a string (tfjs turns it into a Blob URL, which worker_threads
  // cannot load): write it to a file once. Its string literals hold raw newlines that must stay escaped.
  const source = workerSource.replace(/\n/g, '\\n');
  const workerPath = join(os.tmpdir(), `kxy-tfjs-wasm-worker-${createHash('sha256').update(source).digest('hex').slice(0, 12)}.cjs`);
  if (!existsSync(workerPath)) writeFileSync(workerPath, source);
  tf.removeBackend('wasm'); // the package's own factory, which would start the single-threaded build
  // tfjs may call a backend's factory twice (findBackend, then setBackend) and keeps the later one: both get
  // this one module, started once while os.cpus is doubled
  let backend: Promise<BackendWasm> | null = null;
  const start = async () => {
    // The build caps its pool at half the logical cores (backend.cc: "2 threads per core"), read from
    // os.cpus() when the module starts: show it twice the cores while it starts, as backend.ts does in browsers.
    const cpus = os.cpus;
    os.cpus = () => [...cpus(), ...cpus()];
    try {
      const module = await factory({ locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? workerPath : prefix + path) });
      const w = module.cwrap;
      module.tfjs = {
        init: w('init', null, []),
        initWithThreadsCount: w('init_with_threads_count', null, ['number']),
        getThreadsCount: w('get_threads_count', 'number', []),
        registerTensor: w('register_tensor', null, ['number', 'number', 'number']),
        disposeData: w('dispose_data', null, ['number']),
        dispose: w('dispose', null, []),
      };
      setThreadsCount(threads);
      return new BackendWasm(module as never);
    } finally {
      os.cpus = cpus;
    }
  };
  tf.registerBackend('wasm', () => (backend ??= start()), 2);
  return true;
}
