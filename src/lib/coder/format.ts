// The .kxy container and CRC-32. Layout: magic "KXY\x1a", version byte, u32 LE header length, the header
// (UTF-8 JSON, deflate-raw compressed: config, tokenizer, backend, lengths and CRCs), CRC-32 of everything so
// far, then the coded sections back to back. Parsing is strict: every failure is a UserError that says what is wrong.
import { UserError, configFromJson, type RunConfig } from '../config.ts';
import { MAX_SOURCE_BYTES } from '../data/inputs.ts';
import { tokenizerFromSpec, type TokenizerSpec } from '../data/tokenizer.ts';

export const MAGIC = Uint8Array.of(0x4b, 0x58, 0x59, 0x1a); // "KXY" and ^Z, which stops a terminal dumping the rest
export const FORMAT_VERSION = 1;
/** The largest input (and X) a file may hold: a decoder allocates from the header's lengths, so they are
 *  bounded, here by the app's limit per dataset (at nano's few kB/s, already hours to encode). */
export const MAX_INPUT_BYTES = MAX_SOURCE_BYTES;
const MAX_HEADER_BYTES = 1 << 22; // a char vocabulary can be large, but not this large (inflated or not)

// ---- CRC-32 (IEEE 802.3, as zlib and PNG: reflected polynomial 0xEDB88320) ---------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of data, continuing from `crc` (the CRC of what came before, 0 to start). */
export function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const hex = (n: number) => n.toString(16).padStart(8, '0');

// ---- header -----------------------------------------------------------------------------------------

export type SectionName = 'prequential' | 'tail' | 'stored';
export const SECTION_NAMES: SectionName[] = ['prequential', 'tail', 'stored'];

export interface Section {
  name: SectionName;
  bytes: number;
  crc32: number;
}

/** What a decoder must know before the first symbol. */
export interface KxyHeader {
  /** learned: the prequential code then a tail coded by the final model; stored: too short to learn from, kept as it is. */
  mode: 'learned' | 'stored';
  config: RunConfig; // resolved, with the tokenizer's vocabSize
  tokenizer: TokenizerSpec;
  seed: number; // as config.seed: repeated so a reader sees it without the config
  replay: number; // as config.replay
  backend: { name: 'cpu' | 'wasm'; detail: string; tfjs: string }; // detail: e.g. "simd, 1 thread"
  input: { bytes: number; tokens: number; crc32: number };
  given: { bytes: number; crc32: number } | null; // X, for a file coded given X
  sections: Section[];
  name?: string; // the original file's name (no folders), for a decoder to offer; absent in older files
}

/** A name a file may record: a plain file name, no folders or control characters, at most 255 characters. */
export function isFileName(n: unknown): n is string {
  return typeof n === 'string' && n.length > 0 && n.length <= 255 && !/[/\\\u0000-\u001f\u007f]/.test(n) && n !== '.' && n !== '..';
}

/** Runs bytes through a (de)compression stream; stops with an error past `max` bytes of output. */
async function transform(data: Uint8Array, stream: CompressionStream | DecompressionStream, max = Infinity): Promise<Uint8Array> {
  const reader = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream).getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    n += value.length;
    if (n > max) {
      await reader.cancel();
      throw new Error('too long');
    }
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Serializes a header and its sections into one file. */
export async function writeKxy(header: KxyHeader, sections: Uint8Array[]): Promise<Uint8Array> {
  if (sections.length !== header.sections.length) throw new Error('one section per header entry');
  // a char vocabulary goes as one string: every entry is one code point, so the join is unambiguous and short
  const tok = header.tokenizer.type === 'char' ? { type: 'char', chars: header.tokenizer.chars.join('') } : header.tokenizer;
  // deflated: the JSON is mostly the config's key names, and it is about half a kilobyte less this way
  const json = await transform(new TextEncoder().encode(JSON.stringify({ ...header, tokenizer: tok })), new CompressionStream('deflate-raw'));
  const size = 9 + json.length + 4 + sections.reduce((a, s) => a + s.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[4] = FORMAT_VERSION;
  view.setUint32(5, json.length, true);
  out.set(json, 9);
  view.setUint32(9 + json.length, crc32(out.subarray(0, 9 + json.length)), true);
  let at = 13 + json.length;
  for (const s of sections) {
    out.set(s, at);
    at += s.length;
  }
  return out;
}

/** Bytes before the first section: the header's share of a file. */
export function headerBytes(file: Uint8Array): number {
  return 13 + new DataView(file.buffer, file.byteOffset).getUint32(5, true);
}

export interface ParsedKxy {
  header: KxyHeader;
  headerBytes: number;
  sections: Record<SectionName, Uint8Array | undefined>;
}

const bad = (what: string) => new UserError(`not a valid .kxy file: ${what}`);

/** Reads and checks a whole file: magic, version, header CRC, fields, sizes and every section's CRC. */
export async function readKxy(file: Uint8Array): Promise<ParsedKxy> {
  if (file.length < 13 || !MAGIC.every((b, i) => file[i] === b)) {
    throw new UserError(file.length === 0 ? 'the file is empty, not a .kxy file' : 'not a .kxy file (it does not start with the kxy signature)');
  }
  if (file[4] !== FORMAT_VERSION) {
    throw new UserError(`this .kxy file has format version ${file[4]}, and this kxy reads version ${FORMAT_VERSION}${file[4] > FORMAT_VERSION ? ': it was made by a newer kxy' : ''}`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const len = view.getUint32(5, true);
  if (len > MAX_HEADER_BYTES) throw bad(`the header claims ${len} bytes`);
  if (13 + len > file.length) throw new UserError(`the .kxy file is truncated: ${file.length} bytes, but its header alone needs ${13 + len}`);
  const want = view.getUint32(9 + len, true);
  const got = crc32(file.subarray(0, 9 + len));
  if (want !== got) throw new UserError(`the .kxy file's header is corrupt (CRC-32 ${hex(got)}, expected ${hex(want)})`);
  let json: Uint8Array;
  try {
    json = await transform(file.subarray(9, 9 + len), new DecompressionStream('deflate-raw'), MAX_HEADER_BYTES);
  } catch {
    throw bad('the header does not inflate');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    throw bad('the header is not JSON');
  }
  const header = checkHeader(raw);
  const total = 13 + len + header.sections.reduce((a, s) => a + s.bytes, 0);
  if (file.length < total) throw new UserError(`the .kxy file is truncated: ${file.length} bytes of ${total} (${total - file.length} missing)`);
  if (file.length > total) throw new UserError(`the .kxy file has ${file.length - total} unexpected bytes after its end (${total} bytes)`);
  const sections = {} as ParsedKxy['sections'];
  let at = 13 + len;
  for (const s of header.sections) {
    const body = file.subarray(at, at + s.bytes);
    const c = crc32(body);
    if (c !== s.crc32) throw new UserError(`the .kxy file is corrupt: its ${s.name} section fails its CRC-32 (${hex(c)}, expected ${hex(s.crc32)})`);
    sections[s.name] = body;
    at += s.bytes;
  }
  return { header, headerBytes: 13 + len, sections };
}

const isObj = (o: unknown): o is Record<string, unknown> => typeof o === 'object' && o !== null && !Array.isArray(o);
const isCount = (n: unknown, max = Number.MAX_SAFE_INTEGER): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= max;
const isCrc = (n: unknown): n is number => isCount(n, 0xffffffff);

function checkHeader(h: unknown): KxyHeader {
  if (!isObj(h)) throw bad('the header is not an object');
  if (h.mode !== 'learned' && h.mode !== 'stored') throw bad(`unknown mode ${JSON.stringify(h.mode)}`);
  let config: RunConfig;
  try {
    config = { ...configFromJson(h.config) };
  } catch (e) {
    throw bad(`its config: ${(e as Error).message}`);
  }
  if (!isObj(h.tokenizer)) throw bad('no tokenizer');
  const t = h.tokenizer;
  const spec: unknown = t.type === 'char' && typeof t.chars === 'string' ? { type: 'char', chars: [...t.chars] } : t;
  let tokenizer: TokenizerSpec;
  try {
    tokenizer = tokenizerFromSpec(spec as TokenizerSpec).spec;
  } catch (e) {
    throw bad(`its tokenizer: ${(e as Error).message}`);
  }
  const V = tokenizer.type === 'byte' ? 256 : tokenizer.chars.length;
  if (h.mode === 'learned') {
    if (config.vocabSize !== V) throw bad(`the config's vocabSize ${config.vocabSize} does not match the tokenizer's ${V} symbols`);
    if (config.tokenizer !== tokenizer.type) throw bad(`the config says tokenizer '${config.tokenizer}' but the file holds a '${tokenizer.type}' tokenizer`);
  }
  if (h.seed !== config.seed || h.replay !== config.replay) throw bad('seed or replay disagree with the config');
  const b = h.backend;
  if (!isObj(b) || (b.name !== 'cpu' && b.name !== 'wasm') || typeof b.detail !== 'string' || typeof b.tfjs !== 'string') throw bad('no backend (cpu or wasm)');
  const i = h.input;
  if (!isObj(i) || !isCount(i.bytes, MAX_INPUT_BYTES) || !isCount(i.tokens, i.bytes) || !isCrc(i.crc32)) throw bad('the input length or CRC is missing or out of range');
  const g = h.given;
  if (g !== null && (!isObj(g) || !isCount(g.bytes, MAX_INPUT_BYTES) || !isCrc(g.crc32))) throw bad('the length or CRC of X is malformed');
  if (!Array.isArray(h.sections) || h.sections.length > SECTION_NAMES.length) throw bad('no list of sections');
  const sections = h.sections.map((s: unknown): Section => {
    if (!isObj(s) || !SECTION_NAMES.includes(s.name as SectionName) || !isCount(s.bytes, MAX_INPUT_BYTES * 4) || !isCrc(s.crc32)) throw bad('a malformed section entry');
    return { name: s.name as SectionName, bytes: s.bytes, crc32: s.crc32 };
  });
  if (h.name !== undefined && !isFileName(h.name)) throw bad('the original file name is malformed');
  const names = sections.map((s) => s.name).join(',');
  if (h.mode === 'learned' ? names !== 'prequential,tail' : names !== 'stored') throw bad(`sections ${names || '(none)'} do not fit mode ${h.mode}`);
  return {
    mode: h.mode,
    config,
    tokenizer,
    seed: config.seed,
    replay: config.replay,
    backend: { name: b.name, detail: b.detail, tfjs: b.tfjs },
    input: { bytes: i.bytes, tokens: i.tokens, crc32: i.crc32 },
    given: g === null ? null : { bytes: (g as { bytes: number }).bytes, crc32: (g as { crc32: number }).crc32 },
    sections,
    ...(h.name !== undefined ? { name: h.name } : {}),
  };
}
