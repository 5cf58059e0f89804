// Stored records read back from IndexedDB: another version's record, or a damaged one, is refused whole
// with a message (never half-loaded); and without storage, saving reports why instead of throwing.
// The checks are pure functions, so this runs in Node without IndexedDB.
import { describe, expect, it } from 'vitest';
import { UserError, resolveConfig } from '../src/lib/config.ts';
import { RECORD_VERSION, latestExperimentId, onStorageProblem, saveCheckpoints, saveExperiment, storageProblem, validateCheckpoints, validateExperimentRecord, type ExperimentRecord } from '../src/app/store/persist.ts';

const columns = (n: number) => Object.fromEntries(['step', 'tokens', 'tokensY', 'time', 'bpt', 'bpb'].map((c) => [c, new Float64Array(n)]));

function record(): Record<string, unknown> {
  const code = { bits: 80, bytes: 10, tokens: 10 };
  return {
    version: RECORD_VERSION,
    id: 'e1',
    createdAt: 1,
    updatedAt: 2,
    cfg: { ...resolveConfig('nano') },
    runs: ['x', 'y', 'xy'],
    backend: 'wasm',
    maxSeconds: 0,
    pairId: null,
    x: { label: 'X', bytes: new ArrayBuffer(4) },
    y: { label: 'Y', bytes: new ArrayBuffer(4) },
    finished: false,
    history: {
      elapsed: 3,
      params: 100,
      sources: [],
      summary: null,
      checkpointSteps: { x: 5 },
      runs: [
        {
          name: 'x',
          totalSteps: 10,
          step: 5,
          tokens: 5120,
          tokensBySource: { X: 5120 },
          trainSources: ['X'],
          val: {},
          code: { X: code },
          curves: { val: { X: columns(2) }, code: { X: columns(1) }, train: columns(3) },
          traces: { X: { bits: new Float64Array(2), bytes: new Float64Array(2), tokens: new Float64Array(2) } },
        },
      ],
    },
  };
}

function checkpoints(): Record<string, unknown> {
  const w = { 'transformer.wte.weight': new Float32Array(4) };
  return {
    version: RECORD_VERSION,
    savedAt: 1,
    runs: {
      x: { run: 'x', step: 5, weights: w, optimizer: { t: 5, m: w, v: w }, prequential: { X: { bits: 1, bytes: 1, tokens: 1 } }, trace: { X: { bits: [1], bytes: [1], tokens: [1] } }, tokensBySource: { X: 64 }, smoothLoss: 2.5 },
    },
  };
}

/** A copy of `base` with one path set to `value` (or deleted, for undefined). */
function edit(base: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(base);
  let o = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
  return copy;
}

describe('stored experiment records', () => {
  it('a record of this version and shape loads, without its version field', () => {
    const rec: ExperimentRecord = validateExperimentRecord(record());
    expect(rec.id).toBe('e1');
    expect('version' in rec).toBe(false);
  });

  it('a record from an older or a newer version is refused, saying which', () => {
    expect(() => validateExperimentRecord(edit(record(), ['version'], undefined))).toThrow(/older version of kxy \(record version none\)/);
    expect(() => validateExperimentRecord(edit(record(), ['version'], RECORD_VERSION - 1))).toThrow(/older version/);
    expect(() => validateExperimentRecord(edit(record(), ['version'], RECORD_VERSION + 1))).toThrow(/newer version of kxy/);
    expect(() => validateExperimentRecord('hello')).toThrow(UserError);
  });

  const damaged: [string, (string | number)[], unknown, RegExp][] = [
    ['a config the model cannot use', ['cfg', 'nLayer'], 0, /cfg is not a usable config/],
    ['a source without its bytes', ['x', 'bytes'], 'abc', /x is not a stored source/],
    ['an unknown backend', ['backend'], 'cuda', /backend/],
    ['a curve column of another length', ['history', 'runs', 0, 'curves', 'train', 'bpb'], new Float64Array(2), /history\.runs\[0\]\.curves\.train\.bpb/],
    ['a curve column that is a plain array', ['history', 'runs', 0, 'curves', 'val', 'X', 'step'], [0, 1], /curves\.val\.X\.step/],
    ['a step that is not a count', ['history', 'runs', 0, 'step'], -1, /history\.runs\[0\]\.step/],
    ['runs that are not a list', ['history', 'runs'], {}, /history\.runs is not a list/],
    ['a code length with a missing field', ['history', 'runs', 0, 'code', 'X', 'bytes'], undefined, /code\.X is not a code length/],
    ['no history', ['history'], undefined, /history is not an object/],
  ];
  for (const [what, path, value, message] of damaged) {
    it(`refuses ${what}`, () => {
      const f = () => validateExperimentRecord(edit(record(), path, value));
      expect(f).toThrow(UserError);
      expect(f).toThrow(message);
      expect(f).toThrow(/was not loaded/);
    });
  }
});

describe('stored checkpoints', () => {
  it('load when whole, without their version field', () => {
    const c = validateCheckpoints(checkpoints());
    expect(c.runs.x.step).toBe(5);
    expect('version' in c).toBe(false);
  });

  it('are refused from another version, or with weights that are not Float32Arrays, or no optimizer state', () => {
    expect(() => validateCheckpoints(edit(checkpoints(), ['version'], undefined))).toThrow(/older version/);
    expect(() => validateCheckpoints(edit(checkpoints(), ['runs', 'x', 'weights', 'transformer.wte.weight'], [0, 0, 0, 0]))).toThrow(/weights\.transformer\.wte\.weight is not a Float32Array/);
    expect(() => validateCheckpoints(edit(checkpoints(), ['runs', 'x', 'optimizer'], undefined))).toThrow(/optimizer is not an optimizer state/);
    expect(() => validateCheckpoints(edit(checkpoints(), ['runs', 'x', 'smoothLoss'], '2.5'))).toThrow(/smoothLoss/);
  });
});

describe('without storage', () => {
  it('names the problem: full, or missing', () => {
    expect(storageProblem(new DOMException('quota', 'QuotaExceededError'))).toMatch(/storage for this page is full: training goes on, but this experiment will not survive a reload/);
    expect(storageProblem(new ReferenceError('indexedDB is not defined'))).toMatch(/gives this page no storage/);
    expect(storageProblem(new DOMException('no', 'InvalidStateError'))).toMatch(/private window/);
  });

  it('saving resolves to the reason (here Node has no IndexedDB) and tells the listeners; nothing throws', async () => {
    expect(globalThis.indexedDB).toBeUndefined();
    const heard: string[] = [];
    const stop = onStorageProblem((m) => heard.push(m));
    const rec = validateExperimentRecord(record());
    await expect(saveExperiment(rec)).resolves.toMatch(/no storage.*will not survive a reload/);
    await expect(saveCheckpoints('e1', validateCheckpoints(checkpoints()))).resolves.toMatch(/will not survive a reload/);
    await expect(latestExperimentId()).resolves.toBeUndefined();
    stop();
    expect(heard).toHaveLength(3);
  });
});
