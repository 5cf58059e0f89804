// The codec worker: makes and reads .kxy files in the page (src/lib/coder/codec.ts) beside the training worker.
// It runs tfjs's single-threaded SIMD wasm build, the one Node runs, so a file made here decodes with
// `npm run compress -- --decompress` and the other way round.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../lib/backend.ts';
import { UserError } from '../lib/config.ts';
import { backendTag, compress, decompress, type CodecProgress } from '../lib/coder/codec.ts';
import { crc32, readKxy } from '../lib/coder/format.ts';
import { gzipSize } from '../lib/metrics/gzip.ts';
import { assertNever, type FromCodec, type KxyInfo, type ToCodec } from './codec-protocol.ts';

const scope = self as unknown as DedicatedWorkerGlobalScope;

function post(msg: FromCodec, transfer: Transferable[] = []): void {
  scope.postMessage(msg, transfer);
}

let ready: Promise<void> | null = null;

/** wasm, single-threaded. In a cross-origin-isolated page tfjs would pick its threaded build, and XNNPACK
 *  splits sums between threads by their number, so the file could only be decoded on as many threads. With
 *  the threads flag off before the backend starts, tfjs loads tfjs-backend-wasm-simd.wasm, as in Node
 *  (flags_wasm.ts, WASM_HAS_MULTITHREAD_SUPPORT; backend_wasm.ts, getPathToWasmBinary). */
function ensureBackend(): Promise<void> {
  ready ??= (async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tf.enableProdMode();
    await selectBackend('wasm', { wasmPaths: { 'tfjs-backend-wasm.wasm': wasmPlain, 'tfjs-backend-wasm-simd.wasm': wasmSimd, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded } });
    await backendTag(); // refuses anything but one thread
  })();
  return ready;
}

const message = (e: unknown) => (e instanceof UserError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`);
const showBackend = (b: { name: string; detail: string; tfjs: string }) => `${b.name} (${b.detail}, tfjs ${b.tfjs})`;
/** The transferable buffer of exactly these bytes. */
const own = (a: Uint8Array) => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a.buffer : a.slice().buffer) as ArrayBuffer;

function progress(jobId: number): (p: CodecProgress) => void {
  return (p) => post({ type: 'progress', jobId, phase: p.phase, done: p.done, total: p.total });
}

async function handle(msg: ToCodec): Promise<void> {
  switch (msg.type) {
    case 'compress': {
      post({ type: 'progress', jobId: msg.jobId, phase: 'starting', done: 0, total: 1 });
      await ensureBackend();
      const y = new Uint8Array(msg.y);
      const r = await compress(y, msg.cfg, { given: new Uint8Array(msg.x), name: msg.name, onProgress: progress(msg.jobId) });
      const file = own(r.file);
      post(
        {
          type: 'compressed',
          jobId: msg.jobId,
          file,
          info: {
            fileName: `${msg.name}.kxy`,
            fileBytes: r.file.length,
            headerBytes: r.headerBytes,
            prequentialBytes: r.prequential.bytes,
            tailBytes: r.tail.bytes,
            mode: r.header.mode,
            inputBytes: r.inputBytes,
            prequentialBits: r.prequential.bits,
            runBits: r.prequential.runBits,
            gzipBytes: await gzipSize(y.subarray(0, r.inputBytes)),
            config: r.header.config,
            backend: showBackend(r.header.backend),
            seconds: r.seconds,
          },
        },
        [file],
      );
      return;
    }
    case 'inspect': {
      const file = new Uint8Array(msg.file);
      const { header } = await readKxy(file);
      const g = header.given;
      const x = msg.x ? new Uint8Array(msg.x) : null;
      const info: KxyInfo = {
        fileBytes: file.length,
        mode: header.mode,
        name: header.name ?? null,
        inputBytes: header.input.bytes,
        given: g,
        xMatches: g && x ? x.length === g.bytes && crc32(x) === g.crc32 : null,
        backend: showBackend(header.backend),
        preset: header.config.preset,
        tokenizer: header.tokenizer.type,
      };
      post({ type: 'inspected', jobId: msg.jobId, info });
      return;
    }
    case 'decompress': {
      post({ type: 'progress', jobId: msg.jobId, phase: 'starting', done: 0, total: 1 });
      const file = new Uint8Array(msg.file);
      await readKxy(file); // a bad file is refused before the backend starts
      await ensureBackend();
      const d = await decompress(file, { given: msg.given ? new Uint8Array(msg.given) : undefined, onProgress: progress(msg.jobId) });
      const data = own(d.data);
      post({ type: 'decompressed', jobId: msg.jobId, data, seconds: d.seconds }, [data]);
      return;
    }
    default:
      assertNever(msg);
  }
}

scope.onmessage = (e: MessageEvent<ToCodec>) => {
  const msg = e.data;
  handle(msg).catch((err) => post({ type: 'error', jobId: msg.jobId, message: message(err) }));
};
