// safetensors: the byte layout the spec defines, a round trip that gives identical logits, nanoGPT's
// names, and a clear refusal of every kind of malformed file.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError } from '../src/lib/config.ts';
import { byteTokenizer, charTokenizer } from '../src/lib/data/tokenizer.ts';
import { exportModel, importModel, readSafetensors, writeSafetensors } from '../src/lib/io/safetensors.ts';
import { createParams, disposeParams, forward, initWeights, paramShapes, readWeights } from '../src/lib/model/gpt.ts';
import { planExperiment, interleave, startRuns } from '../src/lib/harness.ts';
import { encode, tinyConfig, useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

/** A file assembled byte by byte from the spec: u64 LE header size, JSON header, little-endian data. */
function handMade(header: object, data: number[]): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length * 4);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, json.length, true); // low half of the u64
  out.set(json, 8);
  data.forEach((v, i) => dv.setFloat32(8 + json.length + 4 * i, v, true));
  return out;
}

describe('safetensors', () => {
  it('reads a file laid out by hand from the spec', () => {
    const file = handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1, 1], data_offsets: [8, 12] }, __metadata__: { k: 'v' } }, [1.5, -2, 3]);
    const { tensors, metadata } = readSafetensors(file);
    expect(Array.from(tensors.a.data)).toEqual([1.5, -2]);
    expect(tensors.b.shape).toEqual([1, 1]);
    expect(Array.from(tensors.b.data)).toEqual([3]);
    expect(metadata).toEqual({ k: 'v' });
  });

  it('writes what the spec says: aligned header, offsets in order, data little-endian', () => {
    const file = writeSafetensors({ w: { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) } }, { note: 'x' });
    const n = Number(new DataView(file.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + n)));
    expect(header.w).toEqual({ dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] });
    expect(header.__metadata__).toEqual({ note: 'x' });
    expect(new DataView(file.buffer).getFloat32(8 + n + 12, true)).toBe(4);
  });

  it('round-trips a trained model to identical logits, with nanoGPT names and the tied lm_head', async () => {
    const cfg = tinyConfig({ steps: 3 });
    const exp = planExperiment({ cfg, x: encode('a round trip through safetensors. '.repeat(20)), embed: 'onehot' });
    const [run] = startRuns(exp);
    for await (const _ of interleave([run]));
    const file = exportModel(exp.cfg, exp.dataset.tokenizer, await readWeights(run.params), { run: 'x' });
    const back = importModel(file);
    expect(back.cfg).toEqual(exp.cfg);
    expect(back.tokenizer.spec).toEqual(exp.dataset.tokenizer.spec);
    expect(back.metadata.run).toBe('x');
    const names = Object.keys(readSafetensors(file).tensors);
    expect(names.sort()).toEqual([...paramShapes(exp.cfg).map(([n]) => n), 'lm_head.weight'].sort());
    const p2 = createParams(back.cfg, back.weights);
    const idx = tf.tensor2d(Array.from(exp.dataset.sources[0].val.subarray(0, 16)), [1, 16], 'int32');
    expect(forward(p2, back.cfg, idx).arraySync()).toEqual(forward(run.params, exp.cfg, idx).arraySync());
    disposeParams(p2);
    run.dispose();
  });

  describe('refuses malformed files with a clear message', () => {
    const cfg = tinyConfig({ vocabSize: 256 });
    const good = exportModel(cfg, byteTokenizer(), initWeights(cfg, 1));
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(good.subarray(8, 8 + n)));
    const rebuild = (h: object, body = good.subarray(8 + n)) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + body.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      out.set(body, 8 + json.length);
      return out;
    };
    const cases: [string, () => Uint8Array, RegExp][] = [
      ['too short', () => new Uint8Array(5), /too short/],
      ['a header longer than the file', () => good.subarray(0, 100), /header length/],
      ['truncated data', () => good.subarray(0, good.length - 4), /past the end|truncated/],
      ['a header that is not JSON', () => { const b = good.slice(); b[8] = 0x7b; b[9] = 0x7b; return b; }, /not valid JSON/],
      ['an unsupported dtype', () => rebuild({ ...header, 'transformer.ln_f.bias': { ...header['transformer.ln_f.bias'], dtype: 'I64' } }), /dtype I64/],
      ['a wrong shape', () => rebuild({ ...header, 'transformer.ln_f.bias': { ...header['transformer.ln_f.bias'], shape: [cfg.nEmbd + 1] } }), /bytes for shape|has shape/],
      ['a missing tensor', () => { const h = { ...header }; delete h['transformer.wpe.weight']; return rebuild(h); }, /gap|no tensor/],
      ['no kxy metadata', () => rebuild({ ...header, __metadata__: { format: 'pt' } }), /no kxy config/],
      ['a vocabulary that does not match', () => rebuild({ ...header, __metadata__: { ...header.__metadata__, tokenizer: JSON.stringify(charTokenizer(['a', 'b']).spec) } }), /vocabulary/],
      ['an lm_head that is not tied', () => { const b = good.slice(); b[b.length - 1] ^= 0x40; return b; }, /lm_head.weight differs/],
    ];
    for (const [what, make, message] of cases) {
      it(what, () => {
        const file = make();
        expect(() => importModel(file)).toThrow(UserError);
        expect(() => importModel(file)).toThrow(message);
      });
    }
  });
});
