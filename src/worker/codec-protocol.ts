// The contract between the page and the codec worker (src/worker/codec.worker.ts), which makes and reads .kxy
// files: discriminated unions handled with an exhaustive switch on both sides. Buffers are transferred.
// There is no cancel message: the worker is busy inside one long computation, so the page cancels by ending it.
import type { RunConfig } from '../lib/config.ts';

export type ToCodec =
  // code Y given X with the experiment's config (the file's size is C(Y|X)); gzip of Y beside it
  | { type: 'compress'; jobId: number; cfg: RunConfig; x: ArrayBuffer; y: ArrayBuffer; name: string }
  // read and check a file's header; `x` (the X on screen, if any) is compared with the X it needs
  | { type: 'inspect'; jobId: number; file: ArrayBuffer; x: ArrayBuffer | null }
  // decode a file (given X when it needs one), learning the model again
  | { type: 'decompress'; jobId: number; file: ArrayBuffer; given: ArrayBuffer | null };

export type CodecPhase = 'starting' | 'learn X' | 'code' | 'tail';

/** What the page shows of a .kxy file before decoding it. */
export interface KxyInfo {
  fileBytes: number;
  mode: 'learned' | 'stored';
  name: string | null; // the original file's name, when the file records one
  inputBytes: number; // the original's length
  given: { bytes: number; crc32: number } | null; // the X it was coded given
  xMatches: boolean | null; // the X sent with 'inspect' is that X (length and CRC-32); null: no X sent or none needed
  backend: string; // e.g. "wasm (simd, 1 thread, tfjs 4.22.0)"
  preset: string;
  tokenizer: 'byte' | 'char';
}

export interface CompressedInfo {
  fileName: string;
  fileBytes: number;
  headerBytes: number;
  prequentialBytes: number; // the code of the training stream
  tailBytes: number; // the held-out tail, coded by the final model (or the stored bytes)
  mode: 'learned' | 'stored';
  inputBytes: number;
  prequentialBits: number; // Σ −log2 p of the prequential part over the model's float32 probabilities
  runBits: number; // the coding run's own prequential code: x → y's C(Y|X) as training counts it
  gzipBytes: number; // gzip (level 6, the browser's CompressionStream) of the same Y
  config: RunConfig; // as the file records it (vocabSize set)
  backend: string;
  seconds: { learnX: number; code: number };
}

export type FromCodec =
  | { type: 'progress'; jobId: number; phase: CodecPhase; done: number; total: number }
  | { type: 'compressed'; jobId: number; info: CompressedInfo; file: ArrayBuffer }
  | { type: 'inspected'; jobId: number; info: KxyInfo }
  | { type: 'decompressed'; jobId: number; data: ArrayBuffer; seconds: { learnX: number; code: number } }
  | { type: 'error'; jobId: number; message: string };

export function assertNever(x: never): never {
  throw new Error(`unhandled codec message: ${JSON.stringify(x)}`);
}
