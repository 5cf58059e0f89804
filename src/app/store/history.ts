// The history of experiments: an index (one small versioned record) listing every experiment kept in
// IndexedDB with its data identity, settings and key numbers, and the storage cap that drops the oldest
// checkpoints first, then the oldest curves, always keeping each experiment's line in the list.
import { UserError, type RunConfig } from '../../lib/config.ts';
import type { TokenizerSpec } from '../../lib/data/tokenizer.ts';
import type { Summary } from '../../lib/harness.ts';
import type { Checkpoint } from '../../lib/train/loop.ts';
import { identify, type DataIdentity } from '../identity.ts';
import { checkpointKey, experimentKey, validateExperimentRecord, type ExperimentRecord } from './persist.ts';

/** Bump when the index's shape changes: an index of another version is refused, never overwritten. */
export const HISTORY_VERSION = 1;
const INDEX_KEY = 'history';

/** A key-value store: IndexedDB in the page (idbKv), a Map in the unit tests. */
export interface Kv {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

export interface Caps {
  maxBytes: number; // records + checkpoints of every experiment, bytes
  maxEntries: number; // lines in the list
}

/** 300 MiB: a few micro experiments with checkpoints (~70 MB each), dozens of nano ones. */
export const DEFAULT_CAPS: Caps = { maxBytes: 300 * 2 ** 20, maxEntries: 100 };

export interface HistoryEntry {
  id: string;
  name: string; // the user's; '' = none (the list names the pair)
  createdAt: number;
  updatedAt: number;
  pairId: string | null;
  data: DataIdentity;
  preset: string;
  tokenizer: string;
  steps: number; // 0: passes
  passes: number;
  seed: number;
  seeds: number;
  control: string;
  runs: string[];
  finished: boolean;
  stepsDone: number; // over every run
  totalSteps: number;
  cYBitsPerByte: number | null; // C(Y) of run y, over the windows compared with x → y, bits per byte
  saving: number | null; // (C(Y) − C(Y|X)) / C(Y), x → y against y: the fraction of Y's code X saved
  recordBytes: number; // the stored record (data, curves); 0 once dropped
  checkpointBytes: number; // the stored checkpoint (weights, Adam moments); 0 when none or dropped
  model: { cfg: RunConfig; tokenizer: TokenizerSpec } | null; // what exporting stored weights needs
  dropped: 'checkpoint' | 'record' | null; // what the storage cap removed
}

/** The part of the page's curves an entry reads (the record's history is opaque to the store). */
interface HistoryView {
  summary?: Summary | null;
  runs?: { step: number; totalSteps: number }[];
  params?: number;
}

// ---- sizes ---------------------------------------------------------------------------------------

/** Bytes a stored value takes, roughly as IndexedDB holds it: buffers exactly, numbers 8, strings 2 per char. */
export function storedBytes(v: unknown): number {
  if (v instanceof ArrayBuffer) return v.byteLength;
  if (ArrayBuffer.isView(v)) return v.byteLength;
  if (typeof v === 'number') return 8;
  if (typeof v === 'string') return 2 * v.length;
  if (typeof v === 'boolean' || v === null || v === undefined) return 1;
  if (Array.isArray(v)) return v.reduce((a: number, x) => a + storedBytes(x), 8);
  if (typeof v === 'object') {
    let n = 8;
    for (const [k, x] of Object.entries(v)) n += 2 * k.length + storedBytes(x);
    return n;
  }
  return 8;
}

/** Bytes of a set of run checkpoints (weights and Adam's two moments, float32, plus the code traces). */
export const checkpointBytes = (runs: Record<string, Checkpoint>): number => storedBytes(runs);

// ---- entries -------------------------------------------------------------------------------------

/** The list's line for a stored record. `checkpointBytes`: what the worker reported (else estimated). */
export async function entryFromRecord(rec: ExperimentRecord, extra: { checkpointBytes?: number; hasCheckpoint?: boolean; model?: HistoryEntry['model']; name?: string } = {}): Promise<HistoryEntry> {
  const h = (rec.history ?? {}) as HistoryView;
  const s = h.summary ?? null;
  const yx = s?.conditional?.['Y|X'];
  const runs = h.runs ?? [];
  // without the worker's figure: every run's weights and two moments in float32
  const estimate = (h.params ?? 0) * 12 * rec.runs.length;
  const model = extra.model ?? (rec.cfg.tokenizer === 'byte' ? { cfg: { ...rec.cfg, vocabSize: 256 }, tokenizer: { type: 'byte' as const } } : null);
  return {
    id: rec.id,
    name: extra.name ?? '',
    createdAt: rec.createdAt,
    updatedAt: rec.updatedAt,
    pairId: rec.pairId,
    data: { x: await identify(rec.x.label, rec.x.bytes), y: rec.y ? await identify(rec.y.label, rec.y.bytes) : null },
    preset: rec.cfg.preset,
    tokenizer: rec.cfg.tokenizer,
    steps: rec.cfg.steps,
    passes: rec.cfg.passes,
    seed: rec.cfg.seed,
    seeds: rec.seeds ?? 1,
    control: rec.control ?? 'shuffle',
    runs: [...rec.runs],
    finished: rec.finished,
    stepsDone: runs.reduce((a, r) => a + r.step, 0),
    totalSteps: runs.reduce((a, r) => a + r.totalSteps, 0),
    cYBitsPerByte: yx && yx.alone.bytes > 0 ? yx.alone.bits / yx.alone.bytes : null,
    saving: yx && Number.isFinite(yx.savedFraction) ? yx.savedFraction : null,
    recordBytes: storedBytes(rec),
    checkpointBytes: extra.hasCheckpoint === false ? 0 : (extra.checkpointBytes ?? estimate),
    model,
    dropped: null,
  };
}

// ---- checking the index --------------------------------------------------------------------------

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function validateIndex(v: unknown): HistoryEntry[] {
  if (!isObj(v)) throw new UserError('the stored history is not a record, so it was not loaded');
  if (v.version !== HISTORY_VERSION) {
    const n = v.version;
    const which = typeof n === 'number' && n > HISTORY_VERSION ? `a newer version of kxy (history version ${n})` : `an older version of kxy (history version ${typeof n === 'number' ? n : 'none'})`;
    throw new UserError(`the stored history was saved by ${which}; this page reads version ${HISTORY_VERSION}, so it was not loaded (and is left as it is)`);
  }
  if (!Array.isArray(v.entries)) throw new UserError('the stored history is damaged (entries is not a list), so it was not loaded');
  v.entries.forEach((e, i) => {
    const ok = isObj(e) && typeof e.id === 'string' && typeof e.name === 'string' && typeof e.createdAt === 'number' && isObj(e.data) && typeof e.recordBytes === 'number' && typeof e.checkpointBytes === 'number';
    if (!ok) throw new UserError(`the stored history is damaged (entry ${i} is not an experiment), so it was not loaded`);
  });
  return v.entries as HistoryEntry[];
}

// ---- the cap -------------------------------------------------------------------------------------

export interface Prune {
  checkpoints: string[]; // ids whose checkpoint goes (no resume, no weights)
  records: string[]; // ids whose record goes (curves and data); the line in the list stays
  entries: string[]; // ids dropped from the list altogether
}

export const usedBytes = (entries: HistoryEntry[]) => entries.reduce((a, e) => a + e.recordBytes + e.checkpointBytes, 0);

/** What to drop to fit the caps: the oldest checkpoints first, then the oldest records, then the oldest
 *  lines beyond maxEntries. Never anything of `keep` (the experiment on screen). */
export function planPrune(entries: HistoryEntry[], caps: Caps, keep: string | null): Prune {
  const old = [...entries].filter((e) => e.id !== keep).sort((a, b) => a.createdAt - b.createdAt);
  const out: Prune = { checkpoints: [], records: [], entries: [] };
  let total = usedBytes(entries);
  for (const e of old) {
    if (total <= caps.maxBytes) break;
    if (e.checkpointBytes > 0) {
      out.checkpoints.push(e.id);
      total -= e.checkpointBytes;
    }
  }
  for (const e of old) {
    if (total <= caps.maxBytes) break;
    if (e.recordBytes > 0) {
      out.records.push(e.id);
      total -= e.recordBytes;
    }
  }
  const over = entries.length - caps.maxEntries;
  for (const e of old.slice(0, Math.max(0, over))) out.entries.push(e.id);
  return out;
}

// ---- the store -----------------------------------------------------------------------------------

/** Runs `f` holding the history's Web Lock, so two tabs never interleave their read-modify-writes. */
async function webLock<T>(f: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  if (!locks) return f();
  return locks.request('kxy:history', () => f());
}

export class HistoryStore {
  private chain: Promise<unknown> = Promise.resolve();
  private refused: string | null = null; // an index this page cannot read: it is never overwritten

  constructor(
    private readonly kv: Kv,
    readonly caps: Caps = DEFAULT_CAPS,
    private readonly lock: <T>(f: () => Promise<T>) => Promise<T> = webLock,
  ) {}

  /** One change at a time (in this tab, and across tabs through the lock). */
  private serial<T>(f: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => this.lock(f));
    this.chain = run.catch(() => {});
    return run;
  }

  /** The index; rebuilt from the stored records when there is none. A UserError when it cannot be read. */
  private async read(): Promise<HistoryEntry[]> {
    if (this.refused) throw new UserError(this.refused);
    const raw = await this.kv.get(INDEX_KEY);
    if (raw === undefined) return this.rebuild();
    try {
      return validateIndex(raw);
    } catch (e) {
      this.refused = (e as Error).message;
      throw e;
    }
  }

  private write(entries: HistoryEntry[]): Promise<void> {
    return this.kv.set(INDEX_KEY, { version: HISTORY_VERSION, entries });
  }

  /** Lines for the records already stored (by a page from before the history, or after the index was lost). */
  private async rebuild(): Promise<HistoryEntry[]> {
    const keys = await this.kv.keys();
    const out: HistoryEntry[] = [];
    for (const k of keys) {
      if (!k.startsWith('exp:')) continue;
      let rec: ExperimentRecord;
      try {
        rec = validateExperimentRecord(await this.kv.get(k));
      } catch {
        continue; // a record this page cannot read stays where it is, unlisted
      }
      out.push(await entryFromRecord(rec, { hasCheckpoint: keys.includes(checkpointKey(rec.id)) }));
    }
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Every line, newest first. */
  list(): Promise<HistoryEntry[]> {
    return this.serial(() => this.read());
  }

  /** Adds or updates a line (keeping its name; checkpointBytes < 0 keeps the size known before), then applies
   *  the cap; returns the list after both. */
  upsert(entry: HistoryEntry, keep: string | null = entry.id): Promise<HistoryEntry[]> {
    return this.serial(async () => {
      const entries = await this.read();
      const i = entries.findIndex((e) => e.id === entry.id);
      const was = i >= 0 ? entries[i] : null;
      // the record was just saved again; the checkpoint is as the worker last reported (< 0: unknown, keep)
      const fresh = entry.checkpointBytes >= 0;
      const next: HistoryEntry = {
        ...entry,
        name: was?.name || entry.name,
        checkpointBytes: fresh ? entry.checkpointBytes : (was?.checkpointBytes ?? 0),
        model: entry.model ?? was?.model ?? null,
        dropped: !fresh && was?.dropped === 'checkpoint' ? 'checkpoint' : null,
      };
      if (was) entries[i] = next;
      else entries.unshift(next);
      entries.sort((a, b) => b.createdAt - a.createdAt);
      return this.prune(entries, keep);
    });
  }

  private async prune(entries: HistoryEntry[], keep: string | null): Promise<HistoryEntry[]> {
    const p = planPrune(entries, this.caps, keep);
    for (const id of p.checkpoints) await this.kv.del(checkpointKey(id));
    for (const id of p.records) await this.kv.del(experimentKey(id));
    for (const id of p.entries) await Promise.all([this.kv.del(checkpointKey(id)), this.kv.del(experimentKey(id))]);
    const gone = new Set(p.entries);
    const after = entries
      .filter((e) => !gone.has(e.id))
      .map((e) => {
        if (p.records.includes(e.id)) return { ...e, recordBytes: 0, checkpointBytes: 0, dropped: 'record' as const };
        if (p.checkpoints.includes(e.id)) return { ...e, checkpointBytes: 0, dropped: 'checkpoint' as const };
        return e;
      });
    await this.write(after);
    return after;
  }

  rename(id: string, name: string): Promise<HistoryEntry[]> {
    return this.serial(async () => {
      const entries = await this.read();
      const e = entries.find((x) => x.id === id);
      if (!e) throw new UserError('that experiment is no longer in the history');
      e.name = name.trim().slice(0, 120);
      await this.write(entries);
      return entries;
    });
  }

  /** Deletes an experiment: its line, record and checkpoint. */
  remove(id: string): Promise<HistoryEntry[]> {
    return this.serial(async () => {
      const entries = (await this.read()).filter((e) => e.id !== id);
      await Promise.all([this.kv.del(experimentKey(id)), this.kv.del(checkpointKey(id))]);
      await this.write(entries);
      return entries;
    });
  }
}
