// The page's side of the codec worker (src/app/codec.svelte.ts) against a scripted worker: results land where
// the panel reads them, the worker's one-line errors are shown as they are, Cancel ends the worker and the next
// job starts a new one, a picked file's X on screen is taken when it matches, and the names offered.
import { describe, expect, it } from 'vitest';
import { Codec, decodedName, rate } from '../src/app/codec.svelte.ts';
import { resolveConfig } from '../src/lib/config.ts';
import type { FromCodec, KxyInfo, ToCodec } from '../src/worker/codec-protocol.ts';

/** A worker that answers each message with what `script` says (nothing: it stays busy until terminated). */
class FakeWorker {
  onmessage: ((e: MessageEvent<FromCodec>) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  sent: ToCodec[] = [];
  terminated = false;
  constructor(private readonly script: (m: ToCodec) => FromCodec[]) {}
  postMessage(m: ToCodec): void {
    this.sent.push(m);
    const replies = this.script(m);
    setTimeout(() => {
      for (const r of replies) if (!this.terminated) this.onmessage?.({ data: r } as MessageEvent<FromCodec>);
    }, 0);
  }
  terminate(): void {
    this.terminated = true;
  }
}

const cfg = resolveConfig('nano', {});
const x = new TextEncoder().encode('the X text');
const y = new TextEncoder().encode('the Y text, longer');
const info = (o: Partial<KxyInfo> = {}): KxyInfo => ({ fileBytes: 100, mode: 'learned', name: null, inputBytes: 18, given: { bytes: 10, crc32: 1 }, xMatches: true, backend: 'wasm', preset: 'nano', tokenizer: 'byte', ...o });
const file = (name: string, bytes = new Uint8Array(8)) => new File([bytes], name);
const tick = () => new Promise((r) => setTimeout(r, 5));

describe('the page codec state', () => {
  it('compresses: progress, then the result with a download; decodes the file back and compares it with Y', async () => {
    const workers: FakeWorker[] = [];
    const codec = new Codec(() => {
      const w = new FakeWorker((m) => {
        if (m.type === 'compress') {
          const info = { fileName: `${m.name}.kxy`, fileBytes: 3, headerBytes: 1, prequentialBytes: 1, tailBytes: 1, mode: 'learned' as const, inputBytes: y.length, prequentialBits: 8, runBits: 8, gzipBytes: 30, config: m.cfg, backend: 'wasm', seconds: { learnX: 1, code: 2 } };
          return [{ type: 'progress', jobId: m.jobId, phase: 'code', done: 1, total: 2 }, { type: 'compressed', jobId: m.jobId, info, file: new Uint8Array([1, 2, 3]).buffer }];
        }
        if (m.type === 'decompress') return [{ type: 'decompressed', jobId: m.jobId, data: y.slice().buffer, seconds: { learnX: 1, code: 14 } }];
        return [];
      });
      workers.push(w);
      return w as unknown as Worker;
    });
    const done = codec.compress(cfg, x, y, 'Y.txt');
    expect(codec.busy).toBe(true);
    await done;
    expect(codec.busy).toBe(false);
    expect(codec.compressError).toBeNull();
    expect(codec.compressed?.info.fileName).toBe('Y.txt.kxy');
    expect(codec.compressed?.url).toMatch(/^blob:/);
    expect(new Uint8Array(await codec.compressed!.file.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]));
    await codec.verify();
    expect(codec.verified).toEqual({ ok: true, seconds: { learnX: 1, code: 14 } });
    const sent = workers[0].sent[1];
    expect(sent.type === 'decompress' && new Uint8Array(sent.given!)).toEqual(x); // the same X went with it
    // the experiment on screen: compared only over the same data and every knob
    expect(codec.matchesExperiment({ ...cfg }, x.slice().buffer, y.slice().buffer).same).toBe(true);
    expect(codec.matchesExperiment({ ...cfg, seed: 7 }, x.slice().buffer, y.slice().buffer).why).toMatch(/differs in seed/);
    expect(codec.matchesExperiment({ ...cfg }, y.slice().buffer, y.slice().buffer).why).toMatch(/other data/);
  });

  it('shows the worker’s message as it is; Cancel ends the worker, and the next job starts a new one', async () => {
    const workers: FakeWorker[] = [];
    const codec = new Codec(() => {
      const w = new FakeWorker((m) => (m.type === 'inspect' ? [{ type: 'error', jobId: m.jobId, message: 'the .kxy file is truncated: 8 bytes of 20 (12 missing)' }] : []));
      workers.push(w);
      return w as unknown as Worker;
    });
    await codec.pick(file('cut.kxy'), null);
    expect(codec.pickError).toBe('cut.kxy: the .kxy file is truncated: 8 bytes of 20 (12 missing)');
    const job = codec.compress(cfg, x, y, 'Y.txt'); // this worker never answers a compress
    await tick();
    expect(codec.busy).toBe(true);
    codec.cancel();
    await job;
    expect(workers[0].terminated).toBe(true);
    expect(codec.busy).toBe(false);
    expect(codec.compressError).toMatch(/Cancelled/);
    expect(codec.compressed).toBeNull();
    await codec.pick(file('cut.kxy'), null);
    expect(workers).toHaveLength(2);
  });

  it('takes the X on screen when it matches the file’s, and refuses to decode a conditional file without X', async () => {
    let answer = info();
    const codec = new Codec(() => new FakeWorker((m) => (m.type === 'inspect' ? [{ type: 'inspected', jobId: m.jobId, info: answer }] : [])) as unknown as Worker);
    await codec.pick(file('a.kxy'), x);
    expect(codec.givenX?.label).toBe('the X on screen');
    answer = info({ xMatches: false });
    await codec.pick(file('a.kxy'), y);
    expect(codec.givenX).toBeNull();
    await codec.decompress();
    expect(codec.decodeError).toMatch(/coded given X: choose the same X first/);
  });

  it('offers the decoded file under its recorded name, else the .kxy name without .kxy', () => {
    expect(decodedName('x.kxy', 'notes.txt')).toBe('notes.txt');
    expect(decodedName('notes.txt.KXY', null)).toBe('notes.txt');
    expect(decodedName('data.bin', null)).toBe('data.bin.out');
  });

  it('gives the phase’s rate in bytes per second and the time left', () => {
    const r = rate({ phase: 'code', done: 25, total: 100, phaseStart: 0, now: 10_000 }, 4000);
    expect(r).toEqual({ bytesPerSecond: 100, secondsLeft: 30 });
    expect(rate({ phase: 'code', done: 0, total: 100, phaseStart: 0, now: 10_000 }, 4000)).toBeNull();
  });
});
