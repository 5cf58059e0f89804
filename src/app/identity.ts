// The identity of a dataset: its name, size in bytes and SHA-256, so results can say what they were trained on
// and the page can tell when the data on screen is no longer that data. Hashes are cached per buffer.

export interface SourceIdentity {
  label: string;
  bytes: number; // UTF-8 bytes
  sha256: string; // hex
}

export interface DataIdentity {
  x: SourceIdentity;
  y: SourceIdentity | null;
}

type Buf = ArrayBuffer | Uint8Array;
const hashes = new WeakMap<object, Promise<string>>();
const view = (b: Buf) => (b instanceof Uint8Array ? b : new Uint8Array(b));

/** SHA-256 of the bytes, in hex (crypto.subtle: the browser's and Node's). Cached per buffer object. */
export function sha256(b: Buf): Promise<string> {
  let p = hashes.get(b);
  if (!p) {
    const v = view(b);
    p = crypto.subtle.digest('SHA-256', v.slice().buffer as ArrayBuffer).then((d) => Array.from(new Uint8Array(d), (x) => x.toString(16).padStart(2, '0')).join(''));
    hashes.set(b, p);
  }
  return p;
}

export async function identify(label: string, b: Buf): Promise<SourceIdentity> {
  return { label, bytes: view(b).length, sha256: await sha256(b) };
}

const equal = new WeakMap<object, WeakMap<object, boolean>>();

/** Whether two buffers hold the same bytes (exact; cached per pair of buffer objects). */
export function sameBytes(a: Buf, b: Buf): boolean {
  if (a === b) return true;
  let m = equal.get(a);
  const known = m?.get(b);
  if (known !== undefined) return known;
  const u = view(a);
  const v = view(b);
  let same = u.length === v.length;
  for (let i = 0; same && i < u.length; i++) same = u[i] === v[i];
  if (!m) equal.set(a, (m = new WeakMap()));
  m.set(b, same);
  return same;
}

/** "3f9a0c1e": enough of a hash to tell two texts apart at a glance. */
export const shortHash = (h: string) => h.slice(0, 8);
