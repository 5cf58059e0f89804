// The history of experiments, in Node over an in-memory key-value store: the storage cap drops the oldest
// checkpoints first, then the oldest curves, and never the experiment on screen; an index of another version
// is refused and left as it was; rename and delete; lines rebuilt from records stored before the index;
// the user's X and Y (the draft) round-trip. Hashes are checked against node:crypto.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/lib/config.ts';
import { loadDraft, saveDraft } from '../src/app/store/draft.ts';
import { HISTORY_VERSION, HistoryStore, entryFromRecord, planPrune, storedBytes, type Caps, type HistoryEntry, type Kv } from '../src/app/store/history.ts';
import { RECORD_VERSION, checkpointKey, experimentKey, type ExperimentRecord } from '../src/app/store/persist.ts';

class MapKv implements Kv {
  readonly m = new Map<string, unknown>();
  async get(k: string) {
    return structuredClone(this.m.get(k));
  }
  async set(k: string, v: unknown) {
    this.m.set(k, structuredClone(v));
  }
  async del(k: string) {
    this.m.delete(k);
  }
  async keys() {
    return [...this.m.keys()];
  }
}

const direct = <T,>(f: () => Promise<T>) => f();
const MB = 1e6;

function entry(id: string, createdAt: number, recordBytes: number, checkpointBytes: number): HistoryEntry {
  const src = { label: 'X', bytes: 4, sha256: '00' };
  return {
    id, name: '', createdAt, updatedAt: createdAt, pairId: null, data: { x: src, y: src }, preset: 'nano', tokenizer: 'byte', steps: 2, passes: 1, seed: 1, seeds: 1,
    control: 'shuffle', runs: ['x', 'y'], finished: true, stepsDone: 4, totalSteps: 4, cYBitsPerByte: 5, saving: 0.1, recordBytes, checkpointBytes, model: null, dropped: null,
  };
}

const columns = (n: number) => Object.fromEntries(['step', 'tokens', 'tokensY', 'time', 'bpt', 'bpb'].map((c) => [c, new Float64Array(n)]));
const text = (s: string) => new TextEncoder().encode(s).buffer as ArrayBuffer;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function record(id: string, createdAt: number): ExperimentRecord {
  const code = (bits: number, bytes: number) => ({ bits, bytes, tokens: bytes });
  return {
    id, createdAt, updatedAt: createdAt + 1, cfg: { ...resolveConfig('nano', { steps: 2 }) }, runs: ['x', 'y', 'x2y'], backend: 'wasm', maxSeconds: 0, pairId: null,
    x: { label: 'pasted X', bytes: text('the X text') }, y: { label: 'pasted Y', bytes: text('a Y text') }, finished: true,
    history: {
      elapsed: 1, params: 1000, sources: [], checkpointSteps: {},
      runs: (
        [['x', 2], ['y', 2], ['x2y', 1]] as const
      ).map(([name, step]) => ({ name, step, totalSteps: 2, tokens: 0, tokensBySource: {}, trainSources: [], val: {}, code: {}, curves: { val: {}, code: {}, train: columns(0) } })),
      summary: { conditional: { 'Y|X': { alone: code(500, 100), given: code(400, 100), savedBits: 100, savedFraction: 0.2 } } },
    },
  };
}

describe('the storage cap', () => {
  const caps: Caps = { maxBytes: 10 * MB, maxEntries: 3 };

  it('drops the oldest checkpoints first, and only as many as needed', () => {
    const es = [entry('new', 3, 1 * MB, 4 * MB), entry('mid', 2, 1 * MB, 4 * MB), entry('old', 1, 1 * MB, 4 * MB)]; // 15 MB
    expect(planPrune(es, caps, 'new')).toEqual({ checkpoints: ['old', 'mid'], records: [], entries: [] }); // 15 → 11 → 7 MB
  });

  it('then the oldest records, keeping their lines; never anything of the experiment on screen', () => {
    const es = [entry('a', 1, 6 * MB, 0), entry('b', 2, 6 * MB, 0), entry('c', 3, 2 * MB, 9 * MB)]; // 23 MB
    expect(planPrune(es, caps, 'c')).toEqual({ checkpoints: [], records: ['a', 'b'], entries: [] }); // c alone is 11 MB: still over, but it is kept
  });

  it('beyond maxEntries, the oldest lines go', () => {
    const es = [1, 2, 3, 4, 5].map((t) => entry(`e${t}`, t, 1, 0));
    expect(planPrune(es, caps, 'e1').entries).toEqual(['e2', 'e3']);
  });

  it('the store applies it: checkpoint keys deleted, lines marked, the new experiment whole', async () => {
    const kv = new MapKv();
    const store = new HistoryStore(kv, { ...caps, maxBytes: 12 * MB }, direct); // 15 MB: one checkpoint goes
    for (const [id, t] of [['old', 1], ['mid', 2]] as const) {
      kv.m.set(checkpointKey(id), 'weights');
      kv.m.set(experimentKey(id), 'record');
      await store.upsert(entry(id, t, 1 * MB, 4 * MB));
    }
    kv.m.set(checkpointKey('new'), 'weights');
    const after = await store.upsert(entry('new', 3, 1 * MB, 4 * MB));
    expect(after.map((e) => [e.id, e.dropped, e.checkpointBytes])).toEqual([['new', null, 4 * MB], ['mid', null, 4 * MB], ['old', 'checkpoint', 0]]);
    expect(kv.m.has(checkpointKey('old'))).toBe(false);
    expect(kv.m.has(experimentKey('old'))).toBe(true);
    expect(kv.m.has(checkpointKey('mid'))).toBe(true);
    expect((await store.list()).map((e) => e.id)).toEqual(['new', 'mid', 'old']);
  });
});

describe('the index', () => {
  it('of another version is refused with a message, and never overwritten', async () => {
    const kv = new MapKv();
    const newer = { version: HISTORY_VERSION + 1, entries: [{ anything: 1 }] };
    kv.m.set('history', newer);
    const store = new HistoryStore(kv, undefined, direct);
    await expect(store.list()).rejects.toThrow(/newer version of kxy \(history version 2\).*not loaded/);
    await expect(store.upsert(entry('e', 1, 10, 0))).rejects.toThrow(/newer version/);
    await expect(store.rename('e', 'x')).rejects.toThrow(/newer version/);
    expect(kv.m.get('history')).toEqual(newer);
    kv.m.set('history', { version: 0, entries: [] });
    await expect(new HistoryStore(kv, undefined, direct).list()).rejects.toThrow(/older version of kxy \(history version 0\)/);
  });

  it('renames and deletes: a line keeps its name when saved again; delete removes its record and checkpoint', async () => {
    const kv = new MapKv();
    const store = new HistoryStore(kv, undefined, direct);
    await store.upsert(entry('a', 1, 10, 10));
    await store.upsert(entry('b', 2, 10, 10));
    await store.rename('a', '  nano, pasted pair  ');
    await store.upsert({ ...entry('a', 1, 20, -1), finished: false });
    const a = (await store.list()).find((e) => e.id === 'a')!;
    expect([a.name, a.recordBytes, a.checkpointBytes, a.finished]).toEqual(['nano, pasted pair', 20, 10, false]);
    kv.m.set(experimentKey('a'), 'record');
    kv.m.set(checkpointKey('a'), 'weights');
    expect((await store.remove('a')).map((e) => e.id)).toEqual(['b']);
    expect([kv.m.has(experimentKey('a')), kv.m.has(checkpointKey('a'))]).toEqual([false, false]);
    expect((await new HistoryStore(kv, undefined, direct).list()).map((e) => e.id)).toEqual(['b']);
    await expect(store.rename('a', 'gone')).rejects.toThrow(/no longer in the history/);
  });

  it('without an index, lists the records already stored, with their data identity and key numbers', async () => {
    const kv = new MapKv();
    kv.m.set(experimentKey('r1'), { ...record('r1', 10), version: RECORD_VERSION });
    kv.m.set(checkpointKey('r1'), 'weights');
    kv.m.set(experimentKey('r2'), { ...record('r2', 20), version: RECORD_VERSION + 1 }); // unreadable: left alone, unlisted
    const [e, ...rest] = await new HistoryStore(kv, undefined, direct).list();
    expect(rest).toEqual([]);
    expect(e.id).toBe('r1');
    expect(e.data.x).toEqual({ label: 'pasted X', bytes: 10, sha256: sha('the X text') });
    expect(e.data.y).toEqual({ label: 'pasted Y', bytes: 8, sha256: sha('a Y text') });
    expect([e.cYBitsPerByte, e.saving, e.stepsDone, e.totalSteps]).toEqual([5, 0.2, 5, 6]);
    expect(e.checkpointBytes).toBe(1000 * 12 * 3); // estimated: 3 runs × (weights + 2 moments) × 4 bytes
    expect(e.model).toEqual({ cfg: expect.objectContaining({ vocabSize: 256 }), tokenizer: { type: 'byte' } });
    expect(kv.m.has(experimentKey('r2'))).toBe(true);
  });

  it('counts stored bytes: buffers exactly', async () => {
    expect(storedBytes({ a: new Float32Array(10), b: new ArrayBuffer(7) })).toBe(8 + 2 + 40 + 2 + 7);
    const e = await entryFromRecord(record('r', 1), { checkpointBytes: 123 });
    expect(e.checkpointBytes).toBe(123);
    expect(e.recordBytes).toBeGreaterThan(10 + 8 + 6 * 0);
  });
});

describe("the user's own X and Y", () => {
  it('round-trip with their bytes; a bundled pair is kept by its id alone; another version is refused', async () => {
    const kv = new MapKv();
    const x = { label: 'pasted text (5 characters)', bytes: text('hello'), origin: 'text' as const };
    await saveDraft(kv, { pairId: '', x, y: x });
    const d = await loadDraft(kv);
    expect(new TextDecoder().decode(d!.x!.bytes)).toBe('hello');
    expect(d!.y!.label).toBe(x.label);
    await saveDraft(kv, { pairId: 'sotu', x, y: x });
    expect(await loadDraft(kv)).toEqual({ pairId: 'sotu', x: null, y: null });
    kv.m.set('draft', { version: 99, pairId: '', x: null, y: null });
    await expect(loadDraft(kv)).rejects.toThrow(/another version of kxy/);
  });
});
