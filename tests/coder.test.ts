// The range coder alone (round trips over thousands of seeded random tables and streams, its cost against
// −log2(f/total), corrupt input), the quantizer, CRC-32 against published check values and zlib, and the
// .kxy container's strict parsing. No model here: tests/codec.test.ts covers the learning codec.
import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, UserError, resolveConfig } from '../src/lib/config.ts';
import { FORMAT_VERSION, crc32, readKxy, writeKxy, type KxyHeader } from '../src/lib/coder/format.ts';
import {
  CorruptStream,
  MAX_TOTAL,
  RangeDecoder,
  RangeEncoder,
  cumulative,
  decodeSymbol,
  decodeUniform,
  encodeSymbol,
  encodeUniform,
  quantize,
  type CumTable,
} from '../src/lib/coder/range.ts';
import { Rng } from '../src/lib/rng.ts';

/** A random table: V symbols, each ≥ 1, total ≤ 2^24; shapes from flat to one symbol holding almost all. */
function randomTable(rng: Rng, V: number): CumTable {
  const total = V + rng.int(MAX_TOTAL - V + 1);
  const shape = rng.int(4);
  const w = Array.from({ length: V }, (_, i) =>
    shape === 0 ? 1 : shape === 1 ? rng.float() : shape === 2 ? rng.float() ** 8 : i === 0 ? 1e6 : rng.float() * 1e-3,
  );
  const sum = w.reduce((a, b) => a + b, 0);
  const f = w.map((x) => 1 + Math.floor((x / sum) * (total - V)));
  f[rng.int(V)] += total - f.reduce((a, b) => a + b, 0);
  return cumulative(f);
}

/** A symbol drawn from the table's own distribution. */
function draw(rng: Rng, cum: CumTable): number {
  const v = rng.int(cum[cum.length - 1]);
  let s = 0;
  while (cum[s + 1] <= v) s++;
  return s;
}

type Op = { kind: 'table'; cum: CumTable; s: number } | { kind: 'uniform'; n: number; s: number };

function encodeOps(ops: Op[]): Uint8Array {
  const enc = new RangeEncoder();
  for (const op of ops) {
    if (op.kind === 'table') encodeSymbol(enc, op.cum, op.s);
    else encodeUniform(enc, op.s, op.n);
  }
  return enc.finish();
}

function decodeOps(bytes: Uint8Array, ops: Op[]): number[] {
  const dec = new RangeDecoder(bytes);
  return ops.map((op) => (op.kind === 'table' ? decodeSymbol(dec, op.cum) : decodeUniform(dec, op.n)));
}

describe('range coder', () => {
  it('round-trips 3000 seeded random streams, each symbol with its own random table (V 1…300, totals up to 2^24)', () => {
    const rng = new Rng(7);
    let symbols = 0;
    for (let c = 0; c < 3000; c++) {
      const tables = Array.from({ length: 1 + rng.int(4) }, () => randomTable(rng, 1 + rng.int(300)));
      const ops: Op[] = Array.from({ length: rng.int(200) }, () => {
        if (rng.int(5) === 0) {
          const n = 1 + rng.int(rng.int(2) ? 256 : MAX_TOTAL);
          return { kind: 'uniform', n, s: rng.int(n) };
        }
        const cum = tables[rng.int(tables.length)];
        // mostly the table's own distribution, sometimes any symbol (rare ones included)
        return { kind: 'table', cum, s: rng.int(3) ? draw(rng, cum) : rng.int(cum.length - 1) };
      });
      symbols += ops.length;
      expect(decodeOps(encodeOps(ops), ops), `case ${c}`).toEqual(ops.map((o) => o.s));
    }
    expect(symbols).toBeGreaterThan(250_000);
  });

  it('codes every one of 256 symbols, where all but one have probability 2^-24', () => {
    const f = new Array(256).fill(1);
    f[0] = MAX_TOTAL - 255;
    const cum = cumulative(f);
    const ops: Op[] = [];
    for (let rep = 0; rep < 4; rep++) for (let s = 0; s < 256; s++) ops.push({ kind: 'table', cum, s: (s * 37 + rep) % 256 });
    expect(decodeOps(encodeOps(ops), ops)).toEqual(ops.map((o) => o.s));
  });

  it('codes long runs of one symbol: the likeliest (carries pile up 0xFF bytes) and the rarest', () => {
    const f = new Array(256).fill(1);
    f[200] = MAX_TOTAL - 255;
    const cum = cumulative(f);
    for (const s of [200, 0, 255]) {
      const ops: Op[] = Array.from({ length: 50_000 }, () => ({ kind: 'table', cum, s }));
      const bytes = encodeOps(ops);
      expect(decodeOps(bytes, ops).every((x) => x === s)).toBe(true);
    }
    // a run that keeps low just under a byte boundary: the top symbol of a two-symbol table, over and over
    const top = cumulative([1, MAX_TOTAL - 1]);
    const ops: Op[] = Array.from({ length: 200_000 }, (_, i) => ({ kind: 'table', cum: top, s: i % 1000 === 999 ? 0 : 1 }));
    expect(decodeOps(encodeOps(ops), ops)).toEqual(ops.map((o) => o.s));
  });

  // Precisely: coding N copies of symbol s with table (f, total) takes 8·bytes bits, and we assert
  // |8·bytes/N − (−log2(f/total))| ≤ 0.01 bit per symbol, for N = 20,000 (the end of the stream costs at
  // most a byte or two, under 0.001 bit a symbol here). The coder's own loss is below 2^-16 of the range per
  // symbol. Symbols with cum[s] = 0 are left out: a run of them codes to zeros, which the end of a stream
  // implies, so they cost less still.
  it('each symbol costs within 0.01 bit of −log2(f/total), alone and over a mixed random stream', () => {
    const N = 20_000;
    const rng = new Rng(11);
    const cases: [number[], number][] = [
      [[MAX_TOTAL - 1, 1], 1], // 24 bits
      [[1, MAX_TOTAL - 1], 1], // almost 0 bits
      [[3, 5, 7, MAX_TOTAL - 15], 2],
      [[1 << 23, 1 << 23], 1], // 1 bit
      [[1, 2, 3, 4, 5, 6], 5], // a small total
      [[65_535, 1], 1],
    ];
    for (let i = 0; i < 20; i++) {
      const cum = randomTable(rng, 2 + rng.int(255));
      const s = 1 + rng.int(cum.length - 2);
      cases.push([Array.from({ length: cum.length - 1 }, (_, k) => cum[k + 1] - cum[k]), s]);
    }
    for (const [f, s] of cases) {
      const cum = cumulative(f);
      const ideal = -Math.log2(f[s] / cum[f.length]);
      const bytes = encodeOps(Array.from({ length: N }, () => ({ kind: 'table', cum, s })));
      expect(Math.abs((8 * bytes.length) / N - ideal), `f=${f[s]} of ${cum[f.length]}`).toBeLessThanOrEqual(0.01);
    }
    // a mixed stream: total cost against the summed ideal, per symbol
    const tables = Array.from({ length: 8 }, () => randomTable(rng, 256));
    let ideal = 0;
    const ops: Op[] = Array.from({ length: 100_000 }, () => {
      const cum = tables[rng.int(8)];
      const s = draw(rng, cum);
      ideal -= Math.log2((cum[s + 1] - cum[s]) / cum[256]);
      return { kind: 'table', cum, s };
    });
    const bytes = encodeOps(ops);
    expect(Math.abs(8 * bytes.length - ideal) / ops.length).toBeLessThanOrEqual(0.01);
    expect(decodeOps(bytes, ops)).toEqual(ops.map((o) => o.s));
  });

  it('an empty stream is empty, and decodes nothing', () => {
    expect(new RangeEncoder().finish().length).toBe(0);
    const cum = cumulative([5, 3]);
    expect(decodeOps(encodeOps([{ kind: 'table', cum, s: 0 }]), [{ kind: 'table', cum, s: 0 }])).toEqual([0]);
  });

  it('bit flips and truncations always terminate, with an error or different symbols when they hit the first half', () => {
    const rng = new Rng(5);
    for (let c = 0; c < 300; c++) {
      const cum = randomTable(rng, 256);
      const ops: Op[] = Array.from({ length: 300 }, () => ({ kind: 'table', cum, s: draw(rng, cum) }));
      const bytes = encodeOps(ops);
      if (bytes.length < 8) continue;
      const half = bytes.length >> 1;
      let bad: Uint8Array;
      if (c % 2 === 0) {
        bad = bytes.slice();
        bad[rng.int(half)] ^= 1 << rng.int(8);
      } else bad = bytes.subarray(0, rng.int(half));
      let same = false;
      try {
        const got = decodeOps(bad, ops); // bounded: one symbol per op, whatever the bytes
        same = got.every((s, i) => s === ops[i].s);
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptStream);
      }
      expect(same, `case ${c}`).toBe(false);
      // anywhere at all: still terminates (late flips may decode unchanged; the file's CRCs catch those)
      const late = bytes.slice();
      late[half + rng.int(bytes.length - half)] ^= 1 << rng.int(8);
      try {
        decodeOps(late, ops);
      } catch (e) {
        expect(e).toBeInstanceOf(CorruptStream);
      }
    }
  });
});

describe('quantize', () => {
  const total = MAX_TOTAL;
  it('gives every symbol ≥ 1, sums to the total, the remainder to the first argmax, and depends only on the float bits', () => {
    const rng = new Rng(3);
    for (let c = 0; c < 500; c++) {
      const V = 1 + rng.int(400);
      const logits = Array.from({ length: V }, () => rng.normal() * (1 + rng.int(20)));
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const z = e.reduce((a, b) => a + b, 0);
      const p = Float32Array.from(e, (x) => x / z);
      const cum = quantize(p, 0, V, total);
      expect(cum[V]).toBe(total);
      let arg = 0;
      for (let i = 1; i < V; i++) if (p[i] > p[arg]) arg = i;
      for (let i = 0; i < V; i++) {
        const f = cum[i + 1] - cum[i];
        expect(f).toBeGreaterThanOrEqual(1);
        if (i !== arg) expect(f).toBe(Math.floor(p[i] * (total - V)) + 1); // float64 of a float32: exact
      }
      expect(Array.from(quantize(Float32Array.from(p), 0, V, total))).toEqual(Array.from(cum));
    }
  });

  it('costs almost nothing: KL(p‖q) under 0.0005 bit for V = 256, and bounded for probabilities near zero', () => {
    const rng = new Rng(9);
    for (let c = 0; c < 50; c++) {
      const e = Array.from({ length: 256 }, () => Math.exp(rng.normal() * 4));
      const z = e.reduce((a, b) => a + b, 0);
      const p = Float32Array.from(e, (x) => x / z);
      const cum = quantize(p, 0, 256, total);
      let kl = 0;
      for (let i = 0; i < 256; i++) if (p[i] > 0) kl += p[i] * Math.log2(p[i] / ((cum[i + 1] - cum[i]) / total));
      expect(kl).toBeLessThan(0.0005);
    }
    // underflow, subnormals, exact zeros, NaN: still a table where every symbol can be coded
    const p = new Float32Array(256);
    p[7] = 1 - 2 ** -20;
    p[8] = 1e-30;
    p[9] = 1e-45; // a subnormal
    p[10] = NaN;
    p[11] = -0;
    const cum = quantize(p, 0, 256, total);
    expect(cum[256]).toBe(total);
    for (let i = 0; i < 256; i++) expect(cum[i + 1] - cum[i]).toBeGreaterThanOrEqual(1);
    const ops: Op[] = [7, 8, 9, 10, 11, 0, 255].map((s) => ({ kind: 'table', cum, s }));
    expect(decodeOps(encodeOps(ops), ops)).toEqual([7, 8, 9, 10, 11, 0, 255]);
    const flat = quantize(new Float32Array(5).fill(NaN), 0, 5, total); // not a distribution at all
    expect(flat[5]).toBe(total);
  });
});

describe('CRC-32', () => {
  it('matches the published check value and zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const rng = new Rng(1);
    const data = Uint8Array.from({ length: 10_000 }, () => rng.int(256));
    expect(crc32(data)).toBe(zlib.crc32(data));
    expect(crc32(data.subarray(5000), crc32(data.subarray(0, 5000)))).toBe(zlib.crc32(data)); // continues
  });
});

describe('.kxy container', () => {
  const header = (): KxyHeader => ({
    mode: 'learned',
    config: { ...resolveConfig('nano', { vocabSize: 3, tokenizer: 'char' }) },
    tokenizer: { type: 'char', chars: ['a', 'é', '😀'] },
    seed: DEFAULTS.seed,
    replay: DEFAULTS.replay,
    backend: { name: 'wasm', detail: 'simd, 1 thread', tfjs: '4.22.0' },
    input: { bytes: 10, tokens: 5, crc32: 123 },
    given: { bytes: 7, crc32: 0xffffffff },
    sections: [
      { name: 'prequential', bytes: 3, crc32: crc32(Uint8Array.of(1, 2, 3)) },
      { name: 'tail', bytes: 1, crc32: crc32(Uint8Array.of(9)) },
    ],
  });
  const file = () => writeKxy(header(), [Uint8Array.of(1, 2, 3), Uint8Array.of(9)]);

  it('reads back what it wrote', async () => {
    const got = await readKxy(await file());
    expect(got.header).toEqual(header());
    expect(Array.from(got.sections.prequential!)).toEqual([1, 2, 3]);
    expect(Array.from(got.sections.tail!)).toEqual([9]);
  });

  it('refuses, with a message that says why: no signature, other version, truncation, trailing bytes, a flipped bit anywhere', async () => {
    const f = await file();
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /empty/],
      [new TextEncoder().encode('hello world, not kxy'), /not a \.kxy file/],
      [Uint8Array.from(f, (b, i) => (i === 4 ? FORMAT_VERSION + 1 : b)), /format version 2.*newer kxy/],
      [f.subarray(0, f.length - 1), /truncated: .*1 missing/],
      [f.subarray(0, 20), /truncated/],
      [Uint8Array.from([...f, 0]), /1 unexpected bytes after its end/],
      [Uint8Array.from(f, (b, i) => (i === f.length - 2 ? b ^ 4 : b)), /prequential section fails its CRC-32/],
      [Uint8Array.from(f, (b, i) => (i === 30 ? b ^ 1 : b)), /header is corrupt/],
    ];
    for (const [bytes, message] of cases) {
      await expect(readKxy(bytes)).rejects.toThrow(UserError);
      await expect(readKxy(bytes)).rejects.toThrow(message);
    }
    for (let i = 0; i < f.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const g = f.slice();
        g[i] ^= 1 << bit;
        await expect(readKxy(g), `byte ${i} bit ${bit}`).rejects.toThrow(UserError);
      }
    }
  });

  it('refuses a header whose fields are wrong even when its CRC is right', async () => {
    const bad = async (h: Partial<KxyHeader> | Record<string, unknown>) => readKxy(await writeKxy({ ...header(), ...h } as KxyHeader, [Uint8Array.of(1, 2, 3), Uint8Array.of(9)]));
    await expect(bad({ mode: 'magic' })).rejects.toThrow(/unknown mode/);
    await expect(bad({ config: { ...DEFAULTS, vocabSize: 4, tokenizer: 'char' } })).rejects.toThrow(/vocabSize 4 does not match the tokenizer's 3/);
    await expect(bad({ backend: { name: 'webgpu', detail: '', tfjs: '' } as never })).rejects.toThrow(/backend/);
    await expect(bad({ input: { bytes: 2 ** 40, tokens: 1, crc32: 0 } })).rejects.toThrow(/input length/);
    await expect(bad({ input: { bytes: 4, tokens: 5, crc32: 0 } })).rejects.toThrow(/input length/);
    await expect(bad({ config: { ...DEFAULTS, vocabSize: 3, tokenizer: 'char', blockSize: -1 } })).rejects.toThrow(/blockSize must be a positive integer/);
    // a header that inflates past its limit is refused before it is parsed
    await expect(readKxy(await writeKxy({ ...header(), backend: { name: 'wasm', detail: 'x'.repeat(5 << 20), tfjs: '' } }, [Uint8Array.of(1, 2, 3), Uint8Array.of(9)]))).rejects.toThrow(/does not inflate/);
  });
});
