// What survives a reload, in IndexedDB (through idb-keyval): each experiment's record (config, data,
// the curves so far) written by the page, and the runs' latest checkpoints written by the worker.
// Every record carries RECORD_VERSION and is checked on the way back in: another version's record, or one
// of the wrong shape, is refused whole with a message, never half-loaded. Saving never throws: when storage
// is full or missing, training goes on and the listeners hear why nothing will survive a reload.
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';
import { BACKEND_CHOICES, UserError, configFromJson, type BackendChoice, type ControlKind, type RunConfig, type RunName } from '../../lib/config.ts';
import type { Checkpoint } from '../../lib/train/loop.ts';

/** Bump when the stored shape changes: records of any other version are refused, not guessed at. */
export const RECORD_VERSION = 1;

export interface StoredSource {
  label: string;
  bytes: ArrayBuffer;
}

export interface ExperimentRecord<History = unknown> {
  id: string;
  createdAt: number;
  updatedAt: number;
  cfg: RunConfig;
  runs: RunName[];
  backend: BackendChoice;
  maxSeconds: number;
  control?: ControlKind; // absent in records from before the control run: 'shuffle'
  seeds?: number; // absent: 1
  pairId: string | null; // a bundled pair, or null for the user's own data
  x: StoredSource;
  y: StoredSource | null;
  history: History; // the page's curves, opaque here
  finished: boolean;
}

export interface StoredCheckpoints {
  savedAt: number;
  runs: Record<string, Checkpoint>;
  seedIndex?: number; // which seed of the experiment these runs belong to (absent: the first)
}

// ---- checking what comes back ------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number';
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

class Shape {
  constructor(private readonly what: string) {}
  fail(path: string, why: string): never {
    throw new UserError(`the stored ${this.what} is damaged (${path} ${why}), so it was not loaded`);
  }
  need(ok: boolean, path: string, why: string): void {
    if (!ok) this.fail(path, why);
  }
  record(v: unknown, path: string, each: (x: unknown, p: string) => void): void {
    this.need(isObj(v), path, 'is not an object');
    for (const [k, x] of Object.entries(v as Obj)) each(x, `${path}.${k}`);
  }
}

function checkVersion(v: unknown, what: string): void {
  if (!isObj(v)) throw new UserError(`the stored ${what} is not a record, so it was not loaded`);
  const version = v.version;
  if (version === RECORD_VERSION) return;
  const which = isNum(version) && version > RECORD_VERSION ? `a newer version of kxy (record version ${version})` : `an older version of kxy (record version ${isNum(version) ? version : 'none'})`;
  throw new UserError(`the stored ${what} was saved by ${which}; this page reads version ${RECORD_VERSION}, so it was not loaded`);
}

const CURVE_COLUMNS = ['step', 'tokens', 'tokensY', 'time', 'bpt', 'bpb'];

/** Checks a stored experiment record: its version, then every field the page reads back. */
export function validateExperimentRecord<H = unknown>(v: unknown): ExperimentRecord<H> {
  checkVersion(v, 'experiment');
  const r = v as Obj;
  const s = new Shape('experiment');
  s.need(typeof r.id === 'string' && r.id.length > 0, 'id', 'is not a string');
  for (const k of ['createdAt', 'updatedAt', 'maxSeconds']) s.need(isNum(r[k]) && Number.isFinite(r[k]) && r[k] >= 0, k, 'is not a number');
  try {
    configFromJson(r.cfg);
  } catch (e) {
    s.fail('cfg', `is not a usable config: ${(e as Error).message}`);
  }
  s.need(Array.isArray(r.runs) && r.runs.length > 0 && r.runs.every((x) => typeof x === 'string'), 'runs', 'is not a list of run names');
  s.need(BACKEND_CHOICES.includes(r.backend as BackendChoice), 'backend', 'is not a backend');
  s.need(r.pairId === null || typeof r.pairId === 'string', 'pairId', 'is not a string or null');
  for (const k of ['x', 'y']) {
    if (k === 'y' && r.y === null) continue;
    const src = r[k];
    s.need(isObj(src) && typeof src.label === 'string' && src.bytes instanceof ArrayBuffer, k, 'is not a stored source');
  }
  s.need(typeof r.finished === 'boolean', 'finished', 'is not true or false');
  if (r.seeds !== undefined) s.need(isCount(r.seeds) && r.seeds > 0, 'seeds', 'is not a count');
  if (r.control !== undefined) s.need(typeof r.control === 'string', 'control', 'is not a string');
  checkHistory(r.history, s);
  const { version: _, ...rec } = r;
  return rec as unknown as ExperimentRecord<H>;
}

/** The page's curves: what its restore reads (runs with their numbers and curves, sources, summary). */
function checkHistory(h: unknown, s: Shape): void {
  s.need(isObj(h), 'history', 'is not an object');
  const o = h as Obj;
  s.need(isNum(o.elapsed), 'history.elapsed', 'is not a number');
  s.need(isNum(o.params), 'history.params', 'is not a number');
  s.need(Array.isArray(o.sources), 'history.sources', 'is not a list');
  s.need(o.summary === null || isObj(o.summary), 'history.summary', 'is not an object or null');
  s.record(o.checkpointSteps, 'history.checkpointSteps', (x, p) => s.need(isCount(x), p, 'is not a step'));
  for (const k of ['seedResults']) if (o[k] !== undefined) s.need(Array.isArray(o[k]), `history.${k}`, 'is not a list');
  if (o.baselines !== undefined) s.need(isObj(o.baselines), 'history.baselines', 'is not an object');
  s.need(Array.isArray(o.runs), 'history.runs', 'is not a list');
  (o.runs as unknown[]).forEach((run, i) => {
    const p = `history.runs[${i}]`;
    s.need(isObj(run), p, 'is not an object');
    const r = run as Obj;
    s.need(typeof r.name === 'string', `${p}.name`, 'is not a string');
    for (const k of ['totalSteps', 'step', 'tokens']) s.need(isCount(r[k]), `${p}.${k}`, 'is not a count');
    s.record(r.tokensBySource, `${p}.tokensBySource`, (x, q) => s.need(isNum(x), q, 'is not a number'));
    s.need(Array.isArray(r.trainSources) && r.trainSources.every((x) => typeof x === 'string'), `${p}.trainSources`, 'is not a list of names');
    s.need(isObj(r.val), `${p}.val`, 'is not an object');
    s.record(r.code, `${p}.code`, (x, q) => s.need(isObj(x) && isNum(x.bits) && isNum(x.bytes) && isNum(x.tokens), q, 'is not a code length'));
    s.need(isObj(r.curves), `${p}.curves`, 'is not an object');
    const c = r.curves as Obj;
    s.record(c.val, `${p}.curves.val`, (x, q) => checkCurve(x, q, s));
    s.record(c.code, `${p}.curves.code`, (x, q) => checkCurve(x, q, s));
    checkCurve(c.train, `${p}.curves.train`, s);
    if (r.traces !== undefined) s.record(r.traces, `${p}.traces`, (x, q) => checkColumns(x, q, ['bits', 'bytes', 'tokens'], s));
  });
}

function checkCurve(v: unknown, path: string, s: Shape): void {
  checkColumns(v, path, CURVE_COLUMNS, s);
}

function checkColumns(v: unknown, path: string, names: string[], s: Shape): void {
  s.need(isObj(v), path, 'is not an object');
  const o = v as Obj;
  for (const k of names) s.need(o[k] instanceof Float64Array && (o[k] as Float64Array).length === (o[names[0]] as Float64Array).length, `${path}.${k}`, 'is not a column of the same length as the others');
}

/** Checks stored checkpoints: their version, then each run's weights, optimizer state and code so far. */
export function validateCheckpoints(v: unknown): StoredCheckpoints {
  checkVersion(v, 'checkpoint');
  const c = v as Obj;
  const s = new Shape('checkpoint');
  s.need(isNum(c.savedAt), 'savedAt', 'is not a number');
  if (c.seedIndex !== undefined) s.need(isCount(c.seedIndex), 'seedIndex', 'is not a count');
  const floats = (x: unknown, p: string) => s.need(x instanceof Float32Array, p, 'is not a Float32Array');
  s.record(c.runs, 'runs', (run, p) => {
    s.need(isObj(run), p, 'is not an object');
    const r = run as Obj;
    s.need(typeof r.run === 'string', `${p}.run`, 'is not a string');
    s.need(isCount(r.step), `${p}.step`, 'is not a step');
    s.record(r.weights, `${p}.weights`, floats);
    s.need(isObj(r.optimizer) && isCount(r.optimizer.t), `${p}.optimizer`, 'is not an optimizer state');
    const o = r.optimizer as Obj;
    s.record(o.m, `${p}.optimizer.m`, floats);
    s.record(o.v, `${p}.optimizer.v`, floats);
    s.record(r.prequential, `${p}.prequential`, (x, q) => s.need(isObj(x) && isNum(x.bits) && isNum(x.bytes) && isNum(x.tokens), q, 'is not a code length'));
    s.record(r.tokensBySource, `${p}.tokensBySource`, (x, q) => s.need(isNum(x), q, 'is not a number'));
    s.need(isNum(r.smoothLoss), `${p}.smoothLoss`, 'is not a number');
    if (r.trace !== undefined) s.record(r.trace, `${p}.trace`, (x, q) => s.need(isObj(x) && ['bits', 'bytes', 'tokens'].every((k) => Array.isArray(x[k])), q, 'is not a code trace'));
    if (r.lrScale !== undefined) s.need(isNum(r.lrScale), `${p}.lrScale`, 'is not a number');
    if (r.rollbacks !== undefined) s.need(Array.isArray(r.rollbacks), `${p}.rollbacks`, 'is not a list');
  });
  const { version: _, ...rest } = c;
  return rest as unknown as StoredCheckpoints;
}

// ---- storage problems ----------------------------------------------------------------------------

/** What the user should read when storage fails: full, missing, or something else. */
export function storageProblem(e: unknown): string {
  return `${storageWhy(e)}: training goes on, but this experiment will not survive a reload. Export the models you want to keep.`;
}

/** Why a write failed, in words: full, missing, or something else. */
export function storageWhy(e: unknown): string {
  const name = (e as { name?: string } | null)?.name ?? '';
  const text = e instanceof Error ? e.message : String(e);
  return name === 'QuotaExceededError' || /quota/i.test(text) ? 'the browser storage for this page is full' : /indexedDB is not defined|InvalidStateError|SecurityError|UnknownError|not allowed|denied/i.test(`${name} ${text}`) ? 'the browser gives this page no storage (a private window, or storage is blocked)' : `the browser storage failed (${name || text})`;
}

const listeners = new Set<(message: string) => void>();

/** Hears, once per failure, why a save did not happen. Returns the way to stop listening. */
export function onStorageProblem(f: (message: string) => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** Runs a write; a failure is reported to the listeners and returned as a message instead of thrown. */
async function guarded(write: () => Promise<unknown>): Promise<string | null> {
  try {
    await write();
    return null;
  } catch (e) {
    const m = storageProblem(e);
    for (const f of listeners) f(m);
    return m;
  }
}

// ---- the store -----------------------------------------------------------------------------------

let store: UseStore | null = null;
const db = () => (store ??= createStore('kxy', 'kv'));

/** Where an experiment's record and its checkpoints are kept (the history's index names them too). */
export const experimentKey = (id: string) => `exp:${id}`;
export const checkpointKey = (id: string) => `ckpt:${id}`;

/** The same IndexedDB store as a plain key-value interface (for the history, app/store/history.ts). */
export const idbKv = {
  get: (k: string) => get<unknown>(k, db()),
  set: (k: string, v: unknown) => set(k, v, db()),
  del: (k: string) => del(k, db()),
  keys: async () => (await keys(db())).map(String),
};

/** Makes `id` the experiment a reload shows (after opening one from the history). */
export const markLatest = (id: string) => guarded(() => set('latest', id, db()));

/** Saves the record (and marks it the latest). Resolves to null, or to why it could not. */
export const saveExperiment = (rec: ExperimentRecord) => guarded(() => Promise.all([set(experimentKey(rec.id), { ...rec, version: RECORD_VERSION }, db()), set('latest', rec.id, db())]));

/** The stored record, checked; undefined if there is none; a UserError if it cannot be loaded. */
export async function loadExperiment<H>(id: string): Promise<ExperimentRecord<H> | undefined> {
  const raw = await get<unknown>(experimentKey(id), db());
  return raw === undefined ? undefined : validateExperimentRecord<H>(raw);
}

/** The id of the experiment saved last; undefined when there is none or storage cannot be read (reported). */
export async function latestExperimentId(): Promise<string | undefined> {
  let id: unknown;
  const problem = await guarded(async () => (id = await get<unknown>('latest', db())));
  return problem || typeof id !== 'string' ? undefined : id;
}

export const saveCheckpoints = (id: string, c: StoredCheckpoints) => guarded(() => set(checkpointKey(id), { ...c, version: RECORD_VERSION }, db()));

export async function loadCheckpoints(id: string): Promise<StoredCheckpoints | undefined> {
  const raw = await get<unknown>(checkpointKey(id), db());
  return raw === undefined ? undefined : validateCheckpoints(raw);
}

export async function deleteExperiment(id: string): Promise<void> {
  await Promise.all([del(experimentKey(id), db()), del(checkpointKey(id), db())]);
  if ((await latestExperimentId()) === id) await del('latest', db());
}
