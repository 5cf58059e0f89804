// The Data section's current choice, kept in IndexedDB so a browser restart brings it back: a bundled pair
// by its id, or the user's own X and Y (pasted or uploaded) with their bytes, until the user replaces them.
import { UserError } from '../../lib/config.ts';
import type { Kv } from './history.ts';

export const DRAFT_VERSION = 1;
const KEY = 'draft';

export interface DraftSource {
  label: string;
  bytes: ArrayBuffer;
  origin: 'pair' | 'file' | 'text';
}

export interface Draft {
  pairId: string; // '' = the user's own data, in x and y
  x: DraftSource | null;
  y: DraftSource | null;
}

const isSource = (v: unknown): v is DraftSource => {
  const o = v as Partial<DraftSource> | null;
  return typeof o === 'object' && o !== null && typeof o.label === 'string' && o.bytes instanceof ArrayBuffer && (o.origin === 'pair' || o.origin === 'file' || o.origin === 'text');
};

export function validateDraft(v: unknown): Draft {
  const o = v as Record<string, unknown> | null;
  if (typeof o !== 'object' || o === null) throw new UserError('the stored X and Y are not a record, so they were not loaded');
  if (o.version !== DRAFT_VERSION) throw new UserError(`the stored X and Y were saved by another version of kxy (version ${String(o.version)}), so they were not loaded`);
  if (typeof o.pairId !== 'string') throw new UserError('the stored X and Y are damaged (pairId), so they were not loaded');
  for (const k of ['x', 'y']) if (o[k] !== null && !isSource(o[k])) throw new UserError(`the stored X and Y are damaged (${k}), so they were not loaded`);
  return { pairId: o.pairId, x: o.x as DraftSource | null, y: o.y as DraftSource | null };
}

export async function loadDraft(kv: Kv): Promise<Draft | undefined> {
  const raw = await kv.get(KEY);
  return raw === undefined ? undefined : validateDraft(raw);
}

/** A bundled pair is kept by its id alone; the user's own data with its bytes. */
export function saveDraft(kv: Kv, d: Draft): Promise<void> {
  const own = d.pairId === '';
  return kv.set(KEY, { version: DRAFT_VERSION, pairId: d.pairId, x: own ? d.x : null, y: own ? d.y : null });
}
