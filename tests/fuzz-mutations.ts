// Seeded mutations of valid safetensors files, and the harness that runs one through the reader and the
// import path and says what happened. Shared by tests/fuzz.test.ts (10,000 cases) and bench/fuzz.ts.
import { UserError, resolveConfig } from '../src/lib/config.ts';
import { byteTokenizer, charTokenizer } from '../src/lib/data/tokenizer.ts';
import { exportModel, importModel, readSafetensors, readerAllocations, writeSafetensors } from '../src/lib/io/safetensors.ts';
import { initWeights } from '../src/lib/model/gpt.ts';
import { Rng } from '../src/lib/rng.ts';

export interface Base {
  name: string;
  file: Uint8Array;
}

/** Valid files to mutate: two kxy exports (byte and char tokenizers) and a plain F16/BF16/F32 file. */
export function baseFiles(): Base[] {
  const cfg = resolveConfig('nano', { blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 });
  const chars = [...'\n abcdefghijklmnopqrstuvwxyzäöüß中文字'];
  const ccfg = { ...cfg, vocabSize: chars.length, tokenizer: 'char' as const };
  const plain = writeSafetensors({ a: { shape: [3, 2], data: Float32Array.of(1, -2, 0.5, 3, 4, 5) }, b: { shape: [0], data: new Float32Array(0) } }, { note: 'x' });
  const mixed = handWritten([
    ['h', 'F16', [2, 2], [0x3c00, 0xc000, 0x3800, 0x7bff]],
    ['b', 'BF16', [3], [0x3f80, 0xc000, 0x0000]],
    ['f', 'F32', [1, 2], [1.5, -0.25]],
  ]);
  return [
    { name: 'byte', file: exportModel(cfg, byteTokenizer(), initWeights(cfg, 1)) },
    { name: 'char', file: exportModel(ccfg, charTokenizer(chars), initWeights(ccfg, 2)) },
    { name: 'plain', file: plain },
    { name: 'mixed', file: mixed },
  ];
}

function handWritten(entries: [string, string, number[], number[]][]): Uint8Array {
  const header: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  let off = 0;
  for (const [name, dtype, shape, vals] of entries) {
    const width = dtype === 'F32' ? 4 : 2;
    const b = new Uint8Array(vals.length * width);
    const dv = new DataView(b.buffer);
    vals.forEach((v, i) => (width === 4 ? dv.setFloat32(4 * i, v, true) : dv.setUint16(2 * i, v, true)));
    header[name] = { dtype, shape, data_offsets: [off, off + b.length] };
    off += b.length;
    parts.push(b);
  }
  return assemble(JSON.stringify(header), concat(parts));
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A file from header text and data; the length field is the header's unless told otherwise. */
function assemble(headerText: string, body: Uint8Array, lengthField?: bigint): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + body.length);
  new DataView(out.buffer).setBigUint64(0, lengthField ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(body, 8 + json.length);
  return out;
}

function split(file: Uint8Array): { n: number; text: string; body: Uint8Array } {
  const n = Number(new DataView(file.buffer, file.byteOffset).getBigUint64(0, true));
  return { n, text: new TextDecoder().decode(file.subarray(8, 8 + n)), body: file.subarray(8 + n) };
}

export const KINDS = ['bitflip', 'truncate', 'extend', 'headerLength', 'jsonEdit', 'jsonText'] as const;
export type MutationKind = (typeof KINDS)[number];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

const HUGE_SHAPES: unknown[] = [[2 ** 31, 2 ** 31], [2 ** 53 - 1], [1e6, 1e6, 1e6], [2 ** 40], Array(17).fill(2), [65536, 65536, 65536, 65536], [2 ** 53 - 1, 2 ** 53 - 1, 0], [1e308], [-1, -1]];
const BAD_NUMBERS: unknown[] = [-1, -4096, 1.5, '8', null, 1e300, -0, Infinity, 2 ** 53, 2 ** 64, [], {}, true];
const CONFIG_EDITS: [string, unknown][] = [
  ['nLayer', 1e9], ['nLayer', 2 ** 53], ['nEmbd', 1e9], ['vocabSize', 1e9], ['blockSize', 2 ** 31], ['nHead', 3], ['nEmbd', 0],
  ['nLayer', -1], ['lr', 'fast'], ['tokenizer', 'bpe'], ['dropout', 2], ['nLayer', 1.5], ['blockSize', 1e15], ['vocabSize', 255],
];

/** One seeded mutation of a valid file. */
export function mutate(base: Uint8Array, kind: MutationKind, rng: Rng): Uint8Array {
  const { n: headerBytes, text, body } = split(base);
  switch (kind) {
    case 'bitflip': {
      const out = base.slice();
      const flips = 1 + rng.int(8);
      const headerEnd = 8 + headerBytes;
      for (let i = 0; i < flips; i++) {
        const at = rng.float() < 0.7 ? rng.int(headerEnd) : rng.int(out.length); // mostly where the structure is
        out[at] ^= 1 << rng.int(8);
      }
      return out;
    }
    case 'truncate':
      return base.slice(0, rng.int(base.length));
    case 'extend': {
      const extra = Uint8Array.from({ length: 1 + rng.int(64) }, () => rng.int(256));
      return concat([base, extra]);
    }
    case 'headerLength': {
      const n = BigInt(headerBytes);
      const choices: bigint[] = [n + BigInt(1 + rng.int(16)), n - BigInt(1 + rng.int(16)), 0n, 1n, 2n ** 64n - 1n, 2n ** 63n, BigInt(rng.u32()), BigInt(base.length), BigInt(base.length - 8), (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()), 100_000_001n];
      let v = pick(rng, choices);
      if (v < 0n) v = 0n;
      const out = base.slice();
      new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
      return out;
    }
    case 'jsonEdit':
      return jsonEdit(text, body, rng);
    case 'jsonText':
      return jsonText(text, body, rng);
  }
}

function jsonEdit(text: string, body: Uint8Array, rng: Rng): Uint8Array {
  const h = JSON.parse(text) as Record<string, Record<string, unknown>>;
  const names = Object.keys(h).filter((k) => k !== '__metadata__');
  const name = pick(rng, names);
  const e = h[name];
  const offs = e.data_offsets as number[];
  const edit = rng.int(17);
  switch (edit) {
    case 0: e.shape = pick(rng, HUGE_SHAPES); break;
    case 1: e.data_offsets = [pick(rng, BAD_NUMBERS), offs[1]]; break;
    case 2: e.data_offsets = [offs[0], pick(rng, BAD_NUMBERS)]; break;
    case 3: e.data_offsets = [offs[1], offs[0]]; break; // swapped
    case 4: e.data_offsets = [offs[0], offs[1] + 4 * (1 + rng.int(4))]; break;
    case 5: e.shape = (e.shape as unknown[]).map((d) => (rng.float() < 0.5 ? pick(rng, BAD_NUMBERS) : d)); break;
    case 6: e.dtype = pick(rng, ['F64', 'I64', 'U8', 'f32', null, 5, 'BF16', 'F16', 'F32', '']); break;
    case 7: delete h[name]; break;
    case 8: h[`${name}.copy`] = { ...e }; break; // the same span twice: an overlap
    case 9: h[pick(rng, ['__proto__', 'constructor', 'toString', '', 'x'.repeat(10_000)])] = { ...e }; delete h[name]; break;
    case 10: h[name] = pick(rng, [null, 5, 'F32', [], [e], true]) as never; break;
    case 11: {
      const m = h.__metadata__ as Record<string, unknown> | undefined;
      if (m?.config) {
        const [k, v] = pick(rng, CONFIG_EDITS);
        m.config = JSON.stringify({ ...JSON.parse(m.config as string), [k]: v });
      } else h.__metadata__ = { config: 'not json' };
      break;
    }
    case 12: {
      const m = (h.__metadata__ ??= {}) as Record<string, unknown>;
      m.tokenizer = pick(rng, ['{"type":"bpe"}', '{"type":"char","chars":["a","a"]}', '{"type":"char","chars":["ab"]}', '{"type":"char"}', 'null', '[', JSON.stringify({ type: 'char', chars: Array.from({ length: 5000 }, (_, i) => String.fromCodePoint(0x4e00 + i)) })]);
      break;
    }
    case 13: h.__metadata__ = pick(rng, [null, [], 'x', 5, { config: 5 }, { a: { b: 'c' } }]) as never; break;
    case 14: e.shape = [...(e.shape as number[]), 1, 1]; e.extra = { nested: [1, 2, 3] }; break; // harmless: still valid
    case 15: { // move one tensor's span past another's: a gap and an overlap
      const other = h[pick(rng, names)];
      const o = other.data_offsets as number[];
      e.data_offsets = [o[0], o[0] + (offs[1] - offs[0])];
      break;
    }
    case 16: { // many names for the largest span: a reader that allocates before checking overlaps pays for each
      const big = names.reduce((a, b) => ((h[a].data_offsets as number[])[1] - (h[a].data_offsets as number[])[0] >= (h[b].data_offsets as number[])[1] - (h[b].data_offsets as number[])[0] ? a : b));
      for (let i = 0; i < 2 + rng.int(30); i++) h[`${big}.alias${i}`] = { ...h[big] };
      break;
    }
  }
  return assemble(JSON.stringify(h), body);
}

function jsonText(text: string, body: Uint8Array, rng: Rng): Uint8Array {
  const edit = rng.int(6);
  let t = text.trimEnd();
  if (edit === 0) {
    // duplicate names: the first entry again, textually (JSON.stringify cannot write this)
    const h = JSON.parse(t) as Record<string, unknown>;
    const name = pick(rng, Object.keys(h));
    t = `{${JSON.stringify(name)}:${JSON.stringify(h[name])},${t.slice(1)}`;
  } else if (edit === 1) {
    // deep nesting in place of a metadata value or an entry
    const depth = pick(rng, [9, 20, 200, 5000, 100_000, 1_000_000]);
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    t = `{"deep":${deep},${t.slice(1)}`;
  } else if (edit === 2) {
    const depth = pick(rng, [9, 1000, 100_000]);
    t = `{"deep":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)},${t.slice(1)}`;
  } else if (edit === 3) {
    // a random character inserted, deleted or replaced
    const at = rng.int(t.length);
    const ch = pick(rng, ['{', '}', '[', ']', '"', ',', ':', '\\', '0', '-', 'e', ' ', '\u0000', 'é']);
    const op = rng.int(3);
    t = op === 0 ? t.slice(0, at) + ch + t.slice(at) : op === 1 ? t.slice(0, at) + t.slice(at + 1) : t.slice(0, at) + ch + t.slice(at + 1);
  } else if (edit === 4) {
    t = pick(rng, ['[]', '"x"', 'null', '1', '{}', '{"a":1}', '{"__metadata__":{}}', '  ', '{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}']);
  } else {
    // duplicate key inside an entry: two data_offsets
    t = t.replace('"data_offsets":', '"data_offsets":[0,4],"data_offsets":');
  }
  return assemble(t, body, rng.float() < 0.1 ? BigInt(Math.max(0, new TextEncoder().encode(t).length + rng.int(9) - 4)) : undefined);
}

/** What a case came to: 'ok', 'refused: <reason>', or a failure ('FAIL …'). */
export interface Outcome {
  read: string;
  imported: string;
  allocatedBytes: number; // bytes of tensor data the reader allocated, over both calls' worst
  failure: string | null;
}

const REASONS: [RegExp, string][] = [
  [/no kxy config|no tokenizer|metadata is not valid JSON/, 'kxy metadata missing or bad'],
  [/describes \d+ parameters/, 'config larger than the file'],
  [/too short/, 'too short'],
  [/header length/, 'header length'],
  [/not UTF-8|not valid JSON|not a JSON object/, 'header not JSON'],
  [/nests deeper/, 'nesting too deep'],
  [/names .* twice/, 'duplicate name'],
  [/bad shape/, 'bad shape'],
  [/bad data_offsets/, 'bad offsets'],
  [/past the end/, 'past the end'],
  [/has dtype/, 'dtype'],
  [/bytes for shape/, 'size ≠ dtype × shape'],
  [/overlaps or leaves a gap/, 'overlap or gap'],
  [/bytes after the last tensor/, 'bytes after the data'],
  [/__metadata__|metadata value/, 'bad metadata'],
  [/not an object/, 'entry not an object'],
  [/tokenizer|vocabulary/, 'tokenizer'],
  [/config|must be|divisible/, 'config'],
  [/has no tensor|has shape|tensors this model does not/, 'tensors ≠ config'],
  [/lm_head/, 'lm_head not tied'],
];

function classify(f: () => unknown): { what: string; failure: string | null } {
  try {
    f();
    return { what: 'ok', failure: null };
  } catch (e) {
    if (!(e instanceof UserError)) return { what: 'FAIL', failure: `${(e as Error)?.name}: ${(e as Error)?.message}` };
    const reason = REASONS.find(([re]) => re.test(e.message))?.[1] ?? 'other';
    return { what: `refused: ${reason}`, failure: null };
  }
}

/** Runs one file through readSafetensors and importModel, counting what the reader allocates. */
export function runCase(file: Uint8Array): Outcome {
  let allocated = 0;
  let peak = 0;
  readerAllocations.observe = (bytes) => (allocated += bytes);
  try {
    const read = classify(() => readSafetensors(file));
    peak = allocated;
    allocated = 0;
    const imported = classify(() => importModel(file));
    peak = Math.max(peak, allocated);
    let failure = read.failure ?? imported.failure;
    if (!failure && peak > 2 * file.length) failure = `allocated ${peak} bytes for a ${file.length}-byte file`;
    return { read: read.what, imported: imported.what, allocatedBytes: peak, failure };
  } finally {
    readerAllocations.observe = null;
  }
}
