// The page's side of the codec worker: compress the Y on screen given its X into a .kxy file, check it by
// decoding it back, and decompress any .kxy file (asking for X when it needs one). One job at a time;
// cancelling ends the worker (it is inside one long computation) and the next job starts a new one.
import { configDiff, type RunConfig } from '../lib/config.ts';
import { assertNever, type CodecPhase, type CompressedInfo, type FromCodec, type KxyInfo, type ToCodec } from '../worker/codec-protocol.ts';

/** Decoding runs about T forward passes per training step, where coding runs one and trains: measured 6.6×, 7.3× and
 *  7.9× the encoder's coding time (nano, wasm, replay 1, the default pair's first 30, 60, 60 kB, bench/codec.ts).
 *  An estimate until the decoder's own rate is known. */
export const DECODE_SLOWDOWN = 7;

export type JobKind = 'compress' | 'verify' | 'inspect' | 'decompress';

export interface Progress {
  phase: CodecPhase;
  done: number;
  total: number;
  phaseStart: number; // performance.now() when this phase began
  now: number; // performance.now() of the latest report
}

export interface Compressed {
  info: CompressedInfo;
  file: Blob;
  url: string; // an object URL for the download link
  x: Uint8Array; // what was coded, for the check and for comparing with the experiment on screen
  y: Uint8Array;
}

export interface Verified {
  ok: boolean;
  seconds: { learnX: number; code: number };
}

export interface Picked {
  name: string;
  bytes: Uint8Array;
  info: KxyInfo;
}

export interface Decoded {
  name: string;
  bytes: number;
  url: string;
  seconds: { learnX: number; code: number };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The name to offer for a decoded file: the one it records, else the .kxy's name without .kxy. */
export function decodedName(fileName: string, recorded: string | null): string {
  if (recorded) return recorded;
  const base = fileName.replace(/\.kxy$/i, '');
  return base && base !== fileName ? base : `${fileName}.out`;
}

/** Bytes per second of the phase so far, and the seconds it still needs at that rate (null before a rate). */
export function rate(p: Progress, bytes: number): { bytesPerSecond: number; secondsLeft: number } | null {
  const s = (p.now - p.phaseStart) / 1000;
  if (p.done <= 0 || s <= 0 || p.total <= 0) return null;
  return { bytesPerSecond: ((p.done / p.total) * bytes) / s, secondsLeft: (s * (p.total - p.done)) / p.done };
}

/** Whether two configs describe the same run (every knob, vocabSize too): the keys where they differ. */
export function sameConfig(a: RunConfig, b: RunConfig): (keyof RunConfig)[] {
  return configDiff(a, b).filter((k) => k !== 'preset');
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

export class Codec {
  job = $state<{ kind: JobKind; id: number } | null>(null);
  progress = $state<Progress | null>(null);
  compressed = $state.raw<Compressed | null>(null);
  compressError = $state<string | null>(null);
  verified = $state<Verified | null>(null);
  verifyError = $state<string | null>(null);
  picked = $state.raw<Picked | null>(null);
  pickError = $state<string | null>(null);
  givenX = $state.raw<{ label: string; bytes: Uint8Array } | null>(null); // the X chosen for the picked file
  decoded = $state.raw<Decoded | null>(null);
  decodeError = $state<string | null>(null);

  private worker: Worker | null = null;
  private nextId = 1;
  private pending: { id: number; resolve: (m: FromCodec) => void; reject: (e: Error) => void } | null = null;

  constructor(private readonly makeWorker: () => Worker = () => new Worker(new URL('../worker/codec.worker.ts', import.meta.url), { type: 'module' })) {}

  get busy(): boolean {
    return this.job !== null;
  }

  /** Sends one job and resolves with its result; progress lands in `progress` meanwhile. */
  private run(kind: JobKind, msg: ToCodec, transfer: Transferable[] = []): Promise<FromCodec> {
    if (!this.worker) {
      const w = (this.worker = this.makeWorker());
      w.onmessage = (e: MessageEvent<FromCodec>) => w === this.worker && this.handle(e.data);
      w.onerror = (e) => {
        e.preventDefault();
        if (w === this.worker) this.endWorker(`the codec worker crashed: ${e.message || 'unknown error'}`);
      };
    }
    this.job = { kind, id: msg.jobId };
    this.progress = null;
    return new Promise((resolve, reject) => {
      this.pending = { id: msg.jobId, resolve, reject };
      this.worker!.postMessage(msg, transfer);
    }).finally(() => {
      if (this.job?.id === msg.jobId) {
        this.job = null;
        this.progress = null;
      }
    }) as Promise<FromCodec>;
  }

  private handle(msg: FromCodec): void {
    const p = this.pending;
    if (!p || msg.jobId !== p.id) return; // a job already given up
    switch (msg.type) {
      case 'progress': {
        const now = performance.now();
        const same = this.progress && this.progress.phase === msg.phase;
        this.progress = { phase: msg.phase, done: msg.done, total: msg.total, phaseStart: same ? this.progress!.phaseStart : now, now };
        return;
      }
      case 'error':
        this.pending = null;
        p.reject(new Error(msg.message));
        return;
      case 'compressed':
      case 'inspected':
      case 'decompressed':
        this.pending = null;
        p.resolve(msg);
        return;
      default:
        assertNever(msg);
    }
  }

  private endWorker(why: string): void {
    this.worker?.terminate();
    this.worker = null;
    const p = this.pending;
    this.pending = null;
    p?.reject(new Error(why));
  }

  /** Stops the job under way: the worker ends, and nothing it was making is kept. */
  cancel(): void {
    if (!this.job) return;
    this.endWorker('cancelled');
  }

  /** Codes Y given X with `cfg` (the experiment's settings); the result replaces any earlier one. */
  async compress(cfg: RunConfig, x: Uint8Array, y: Uint8Array, name: string): Promise<void> {
    if (this.busy) return;
    this.compressError = null;
    this.verified = null;
    this.verifyError = null;
    this.setCompressed(null);
    const id = this.nextId++;
    const xs = x.slice();
    const ys = y.slice();
    try {
      const m = await this.run('compress', { type: 'compress', jobId: id, cfg: { ...cfg }, x: xs.slice().buffer, y: ys.slice().buffer, name });
      if (m.type !== 'compressed') throw new Error(`unexpected answer ${m.type}`);
      const file = new Blob([m.file], { type: 'application/octet-stream' });
      this.setCompressed({ info: m.info, file, url: URL.createObjectURL(file), x: xs, y: ys });
    } catch (e) {
      this.compressError = message(e) === 'cancelled' ? 'Cancelled: no file was made.' : message(e);
    }
  }

  /** Decodes the file just made, with the same X, and compares it with Y byte for byte. */
  async verify(): Promise<void> {
    const c = this.compressed;
    if (!c || this.busy) return;
    this.verified = null;
    this.verifyError = null;
    const id = this.nextId++;
    try {
      const m = await this.run('verify', { type: 'decompress', jobId: id, file: await c.file.arrayBuffer(), given: c.x.slice().buffer });
      if (m.type !== 'decompressed') throw new Error(`unexpected answer ${m.type}`);
      this.verified = { ok: sameBytes(new Uint8Array(m.data), c.y), seconds: m.seconds };
    } catch (e) {
      this.verifyError = message(e) === 'cancelled' ? 'Cancelled: the file was not checked.' : message(e);
    }
  }

  /** Reads a .kxy file's header; `x` is the X on screen, checked against the X the file needs. */
  async pick(file: File, x: Uint8Array | null): Promise<void> {
    if (this.busy) return;
    this.pickError = null;
    this.decodeError = null;
    this.setDecoded(null);
    this.picked = null;
    this.givenX = null;
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      this.pickError = `${file.name}: could not read the file (${message(e)})`;
      return;
    }
    const id = this.nextId++;
    try {
      const m = await this.run('inspect', { type: 'inspect', jobId: id, file: bytes.slice().buffer, x: x ? x.slice().buffer : null });
      if (m.type !== 'inspected') throw new Error(`unexpected answer ${m.type}`);
      this.picked = { name: file.name, bytes, info: m.info };
      if (m.info.xMatches && x) this.givenX = { label: 'the X on screen', bytes: x.slice() };
    } catch (e) {
      this.pickError = `${file.name}: ${message(e)}`;
    }
  }

  /** Takes a file as the X for the picked .kxy; one of a different length or CRC-32 is refused at decode. */
  async chooseX(file: File): Promise<void> {
    try {
      this.givenX = { label: file.name, bytes: new Uint8Array(await file.arrayBuffer()) };
      this.decodeError = null;
    } catch (e) {
      this.decodeError = `${file.name}: could not read the file (${message(e)})`;
    }
  }

  useScreenX(x: Uint8Array): void {
    this.givenX = { label: 'the X on screen', bytes: x.slice() };
    this.decodeError = null;
  }

  /** Decodes the picked file (with the chosen X when it needs one) and offers the result. */
  async decompress(): Promise<void> {
    const p = this.picked;
    if (!p || this.busy) return;
    if (p.info.given && !this.givenX) {
      this.decodeError = 'This file was coded given X: choose the same X first.';
      return;
    }
    this.decodeError = null;
    this.setDecoded(null);
    const id = this.nextId++;
    try {
      const given = p.info.given && this.givenX ? this.givenX.bytes.slice().buffer : null;
      const m = await this.run('decompress', { type: 'decompress', jobId: id, file: p.bytes.slice().buffer, given });
      if (m.type !== 'decompressed') throw new Error(`unexpected answer ${m.type}`);
      const blob = new Blob([m.data], { type: 'application/octet-stream' });
      this.setDecoded({ name: decodedName(p.name, p.info.name), bytes: m.data.byteLength, url: URL.createObjectURL(blob), seconds: m.seconds });
    } catch (e) {
      this.decodeError = message(e) === 'cancelled' ? 'Cancelled: nothing was decoded.' : message(e);
    }
  }

  /** Whether the experiment on screen coded exactly these X and Y with this config: then its C(Y|X) is the
   *  file's to compare with. The keys that differ otherwise (or a note on the data). */
  matchesExperiment(cfg: RunConfig | null, x: ArrayBuffer | null, y: ArrayBuffer | null): { same: boolean; why: string } {
    const c = this.compressed;
    if (!c) return { same: false, why: '' };
    if (!cfg || !x || !y) return { same: false, why: 'no experiment on screen' };
    if (!sameBytes(new Uint8Array(x), c.x) || !sameBytes(new Uint8Array(y), c.y)) return { same: false, why: 'the experiment on screen trained on other data' };
    const diff = sameConfig(cfg, c.info.config);
    return diff.length ? { same: false, why: `the experiment on screen differs in ${diff.join(', ')}` } : { same: true, why: '' };
  }

  private setCompressed(c: Compressed | null): void {
    if (this.compressed) URL.revokeObjectURL(this.compressed.url);
    this.compressed = c;
  }

  private setDecoded(d: Decoded | null): void {
    if (this.decoded) URL.revokeObjectURL(this.decoded.url);
    this.decoded = d;
  }
}
