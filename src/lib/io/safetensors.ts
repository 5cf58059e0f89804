// safetensors read/write (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length,
// a JSON header {name: {dtype, shape, data_offsets}, __metadata__: {string: string}}, then the raw bytes.
// kxy writes F32 with nanoGPT's names, plus the config and tokenizer in __metadata__. Reading checks everything.
import { UserError, configFromJson, type RunConfig } from '../config.ts';
import { tokenizerFromSpec, type Tokenizer } from '../data/tokenizer.ts';
import { paramShapes, type Weights } from '../model/gpt.ts';

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

/** Parses and checks a safetensors file. F32, F16 and BF16 are read (as F32); anything else is refused. */
export function readSafetensors(file: Uint8Array): { tensors: Record<string, TensorEntry>; metadata: Record<string, string> } {
  if (file.length < 8) bad(`${file.length} bytes is too short`);
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER || 8 + n > file.length) bad(`header length ${n} does not fit a ${file.length}-byte file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(8, 8 + n)));
  } catch {
    bad('the header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) bad('the header is not a JSON object');
  const dataStart = 8 + n;
  const dataLen = file.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: Record<string, TensorEntry> = {};
  const spans: [number, number, string][] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof v !== 'object' || v === null) bad('__metadata__ is not an object');
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== 'string') bad(`metadata value ${k} is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) bad(`entry ${name} is not an object`);
    const shape = e.shape;
    const offs = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) bad(`${name} has a bad shape`);
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((d) => Number.isInteger(d) && d >= 0) || offs[1] < offs[0]) bad(`${name} has bad data_offsets`);
    if (offs[1] > dataLen) bad(`${name} points past the end of the file (the file may be truncated)`);
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    const width = e.dtype === 'F32' ? 4 : e.dtype === 'F16' || e.dtype === 'BF16' ? 2 : 0;
    if (width === 0) throw new UserError(`tensor ${name} has dtype ${String(e.dtype)}; kxy reads F32, F16 and BF16`);
    if (offs[1] - offs[0] !== count * width) bad(`${name} has ${offs[1] - offs[0]} bytes for shape [${shape}] of ${String(e.dtype)}`);
    spans.push([offs[0], offs[1], name]);
    tensors[name] = { dtype: 'F32', shape: shape as number[], data: decode(file.subarray(dataStart + offs[0], dataStart + offs[1]), e.dtype as string, count) };
  }
  // the spec asks that the buffers tile the data exactly, with no holes or overlaps
  spans.sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [s, e, name] of spans) {
    if (s !== end) bad(`${name} overlaps or leaves a gap in the data`);
    end = e;
  }
  if (end !== dataLen) bad(`${dataLen - end} bytes after the last tensor`);
  return { tensors, metadata };
}

function decode(bytes: Uint8Array, dtype: string, count: number): Float32Array {
  const out = new Float32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F32') for (let i = 0; i < count; i++) out[i] = dv.getFloat32(4 * i, true);
  else if (dtype === 'BF16') {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u[i] = dv.getUint16(2 * i, true) << 16;
  } else for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
  return out;
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
