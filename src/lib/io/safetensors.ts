// safetensors read/write (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets}, __metadata__: {string: string}}, then the raw bytes.
// kxy writes F32 with nanoGPT's names, plus the config and tokenizer in __metadata__. Reading checks everything.
import { UserError, configFromJson, paramCount, type RunConfig } from '../config.ts';
import { tokenizerFromSpec, type Tokenizer } from '../data/tokenizer.ts';
import { paramShapes, type Weights } from '../model/gpt.ts';
import { MAX_MODEL_BYTES } from './limits.ts';

export interface TensorEntry {
  dtype: 'F32';
  shape: number[];
  data: Float32Array;
}

const MAX_HEADER = 100_000_000; // the spec's limit on the header size

export function writeSafetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`${name}: shape [${t.shape}] does not match ${t.data.length} values`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8; // pad with spaces so the data is 8-byte aligned
  const headerBytes = new Uint8Array(padded).fill(0x20);
  headerBytes.set(json);
  json = headerBytes;
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.set(bytes, at); // little-endian hosts only, as every browser and Node platform kxy runs on
    at += bytes.length;
  }
  return out;
}

function bad(what: string): never {
  throw new UserError(`not a valid safetensors file: ${what}`);
}

const MAX_DEPTH = 8; // kxy's header nests 3 deep ({ name: { shape: [..] } }); anything deeper is refused before JSON.parse
const MAX_RANK = 16;
const WIDTH: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

/** Test seam: each typed array the reader allocates for tensor data is reported here (its byte length),
 *  so the fuzz test can check that a file never makes the reader allocate more than twice its size. */
export const readerAllocations: { observe: ((bytes: number) => void) | null } = { observe: null };

/** One pass over the header text before JSON.parse: nesting depth bounded, and no object with the same key
 *  twice (JSON.parse would silently keep the last, so two files could read the same and differ). */
function scanHeader(text: string): void {
  const keys: (Set<string> | null)[] = []; // per open container: its keys so far (null for an array)
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: find its end, skipping escapes
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      if (j >= text.length) bad('the header is not valid JSON');
      const top = keys[keys.length - 1];
      if (expectKey && top) {
        let key: string;
        try {
          key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          bad('the header is not valid JSON');
        }
        if (top.has(key)) bad(`the header names ${label(key)} twice`);
        top.add(key);
      }
      expectKey = false;
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (keys.length >= MAX_DEPTH) bad(`the header nests deeper than ${MAX_DEPTH} levels`);
      keys.push(c === 0x7b ? new Set() : null);
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      keys.pop();
      expectKey = false;
    } else if (c === 0x2c) expectKey = keys[keys.length - 1] !== null && keys.length > 0;
  }
}

/** A name as a message shows it: a hostile file's names can be megabytes long. */
const label = (name: string) => (name.length > 80 ? `${name.slice(0, 80)}…` : name);

const isIndex = (d: unknown): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0;

interface Span {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
  count: number;
}

/** Parses and checks a safetensors file. F32, F16 and BF16 are read (as F32); anything else is refused.
 *  Every span is checked (in bounds, sizes = dtype × shape, tiling the data with no gap or overlap) before
 *  one Float32Array for all the tensors is allocated: at most twice the data's bytes (F16 widens to F32). */
export function readSafetensors(file: Uint8Array): { tensors: Record<string, TensorEntry>; metadata: Record<string, string> } {
  if (file.length < 8) bad(`${file.length} bytes is too short`);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 < 2n || n64 > BigInt(MAX_HEADER) || 8n + n64 > BigInt(file.length)) bad(`header length ${n64} does not fit a ${file.length}-byte file`);
  const n = Number(n64);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(8, 8 + n));
  } catch {
    bad('the header is not UTF-8');
  }
  scanHeader(text);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch {
    bad('the header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) bad('the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = file.length - dataStart;
  // null prototypes: a tensor or key named __proto__ stays a plain entry
  const metadata: Record<string, string> = Object.create(null);
  const spans: Span[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) bad('__metadata__ is not an object');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') bad(`metadata value ${label(k)} is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`entry ${label(name)} is not an object`);
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const { shape, data_offsets: offs } = e;
    if (!Array.isArray(shape) || shape.length > MAX_RANK || !shape.every(isIndex)) bad(`${label(name)} has a bad shape`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isIndex) || offs[1] < offs[0]) bad(`${label(name)} has bad data_offsets`);
    if (offs[1] > dataLen) bad(`${label(name)} points past the end of the file (the file may be truncated)`);
    const width = typeof e.dtype === 'string' ? (WIDTH[e.dtype] ?? 0) : 0;
    if (width === 0) throw new UserError(`tensor ${label(name)} has dtype ${label(String(e.dtype))}; kxy reads F32, F16 and BF16`);
    // the product stops growing past what the span could hold, so a huge shape never overflows or allocates
    const room = (offs[1] - offs[0]) / width;
    let count = shape.includes(0) ? 0 : 1;
    for (const d of shape) if (count <= room) count *= d;
    if (count * width !== offs[1] - offs[0]) bad(`${label(name)} has ${offs[1] - offs[0]} bytes for shape [${shape.slice(0, MAX_RANK)}] of ${e.dtype as string}`);
    spans.push({ name, dtype: e.dtype as string, shape, begin: offs[0], end: offs[1], count });
  }
  // the spec asks that the buffers tile the data exactly, with no holes or overlaps
  const order = [...spans].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let end = 0;
  for (const s of order) {
    if (s.begin !== end) bad(`${label(s.name)} overlaps or leaves a gap in the data`);
    end = s.end;
  }
  if (end !== dataLen) bad(`${dataLen - end} bytes after the last tensor`);
  // every span checked: one allocation for all the values
  const total = spans.reduce((a, s) => a + s.count, 0);
  readerAllocations.observe?.(4 * total);
  const values = new Float32Array(total);
  const tensors: Record<string, TensorEntry> = Object.create(null);
  let at = 0;
  for (const s of spans) {
    const out = values.subarray(at, at + s.count);
    decode(file.subarray(dataStart + s.begin, dataStart + s.end), s.dtype, out);
    tensors[s.name] = { dtype: 'F32', shape: s.shape, data: out };
    at += s.count;
  }
  return { tensors, metadata };
}

function decode(bytes: Uint8Array, dtype: string, out: Float32Array): void {
  const count = out.length;
  if (dtype === 'F32' && bytes.byteOffset % 4 === 0) {
    out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count)); // copied through a view: little-endian hosts, as everywhere kxy runs
    return;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
  else if (dtype === 'BF16') {
    const u = new Uint32Array(out.buffer, out.byteOffset, count);
    for (let i = 0; i < count; i++) u[i] = dv.getUint16(2 * i, true) << 16;
  } else for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

// ---- kxy checkpoints --------------------------------------------------------------------------

export interface ModelFile {
  cfg: Readonly<RunConfig>;
  tokenizer: Tokenizer;
  weights: Weights;
  metadata: Record<string, string>;
}

/** A model as safetensors: nanoGPT's names, lm_head.weight written out (tied, so equal to wte) so that
 *  nanoGPT's load_state_dict accepts the file as it is. */
export function exportModel(cfg: Readonly<RunConfig>, tokenizer: Tokenizer, weights: Weights, extra: Record<string, string> = {}): Uint8Array {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, shape] of paramShapes(cfg)) tensors[name] = { shape, data: weights[name] };
  tensors['lm_head.weight'] = { shape: [cfg.vocabSize, cfg.nEmbd], data: weights['transformer.wte.weight'] };
  return writeSafetensors(tensors, { format: 'pt', kxy: '1', config: JSON.stringify(cfg), tokenizer: JSON.stringify(tokenizer.spec), ...extra });
}

/** Reads a model written by exportModel (or a nanoGPT state_dict with kxy metadata), checking names, shapes and vocabulary. */
export function importModel(file: Uint8Array): ModelFile {
  if (file.length > MAX_MODEL_BYTES) throw new UserError(`${file.length} bytes is over the ${MAX_MODEL_BYTES / 2 ** 20} MiB limit for a model file`);
  const { tensors, metadata } = readSafetensors(file);
  if (!metadata.config) throw new UserError('this safetensors file has no kxy config in its metadata, so kxy cannot rebuild the model');
  if (!metadata.tokenizer) throw new UserError('this safetensors file has no tokenizer in its metadata');
  let cfgJson: unknown;
  let tokJson: unknown;
  try {
    cfgJson = JSON.parse(metadata.config);
    tokJson = JSON.parse(metadata.tokenizer);
  } catch {
    throw new UserError('the config or tokenizer in the file metadata is not valid JSON');
  }
  const tokenizer = tokenizerFromSpec(tokJson as never);
  const cfg = configFromJson(cfgJson);
  if (cfg.vocabSize !== tokenizer.vocabSize) throw new UserError(`the config's vocabulary (${cfg.vocabSize}) does not match the tokenizer's (${tokenizer.vocabSize})`);
  // a config can claim any size: check it against the values actually in the file before listing its tensors
  const held = Object.values(tensors).reduce((a, t) => a + t.data.length, 0);
  if (paramCount(cfg) > held) throw new UserError(`the config describes ${paramCount(cfg)} parameters, but the file holds only ${held} values`);
  const weights: Weights = {};
  const expected = paramShapes(cfg);
  for (const [name, shape] of expected) {
    const t = tensors[name];
    if (!t) throw new UserError(`the file has no tensor ${name}`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) throw new UserError(`${name} has shape [${t.shape}], expected [${shape}]`);
    weights[name] = t.data;
  }
  const known = new Set([...expected.map(([n]) => n), 'lm_head.weight']);
  const extra = Object.keys(tensors).filter((n) => !known.has(n));
  if (extra.length) throw new UserError(`the file has tensors this model does not: ${extra.slice(0, 3).join(', ')}${extra.length > 3 ? ', …' : ''}`);
  const head = tensors['lm_head.weight'];
  if (head) {
    const wte = weights['transformer.wte.weight'];
    if (head.data.length !== wte.length || head.data.some((v, i) => v !== wte[i])) throw new UserError('lm_head.weight differs from transformer.wte.weight, but kxy ties them');
  }
  return { cfg, tokenizer, weights, metadata };
}
