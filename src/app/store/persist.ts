// What survives a reload, in IndexedDB (through idb-keyval): each experiment's record (config, data,
// the curves so far) written by the page, and the runs' latest checkpoints written by the worker.
import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import type { BackendChoice, ControlKind, RunConfig, RunName } from '../../lib/config.ts';
import type { Checkpoint } from '../../lib/train/loop.ts';

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

let store: UseStore | null = null;
const db = () => (store ??= createStore('kxy', 'kv'));

export const saveExperiment = (rec: ExperimentRecord) => Promise.all([set(`exp:${rec.id}`, rec, db()), set('latest', rec.id, db())]);
export const loadExperiment = <H>(id: string) => get<ExperimentRecord<H>>(`exp:${id}`, db());
export const latestExperimentId = () => get<string>('latest', db());
export const saveCheckpoints = (id: string, c: StoredCheckpoints) => set(`ckpt:${id}`, c, db());
export const loadCheckpoints = (id: string) => get<StoredCheckpoints>(`ckpt:${id}`, db());

export async function deleteExperiment(id: string): Promise<void> {
  await Promise.all([del(`exp:${id}`, db()), del(`ckpt:${id}`, db())]);
  if ((await latestExperimentId()) === id) await del('latest', db());
}
