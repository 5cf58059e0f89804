// The model against independent references: nanoGPT's state_dict names and shapes, ln V at
// initialisation, causality, and gradients against central finite differences.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramCount, resolveConfig } from '../src/lib/config.ts';
import { createParams, disposeParams, forward, initWeights, paramShapes, tokenNll, type ModelConfig, type Weights } from '../src/lib/model/gpt.ts';
import { Rng } from '../src/lib/rng.ts';
import { useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

function randomTokens(B: number, T: number, V: number, seed: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(Array.from({ length: B * T }, () => rng.int(V)), [B, T], 'int32');
}

function meanLoss(cfg: ModelConfig, w: Weights, x: tf.Tensor2D, y: tf.Tensor2D): number {
  const p = createParams(cfg, w);
  const l = tf.tidy(() => tf.mean(tokenNll(forward(p, cfg, x), y)));
  const v = l.dataSync()[0];
  l.dispose();
  disposeParams(p);
  return v;
}

describe('GPT', () => {
  it("has nanoGPT's state_dict names and (out, in) shapes", () => {
    const cfg = { vocabSize: 65, blockSize: 256, nLayer: 1, nHead: 6, nEmbd: 384, dropout: 0 };
    // model.state_dict() of nanoGPT's GPT(GPTConfig(n_layer=1, bias=True)), less the tied lm_head.weight
    const nanoGPT: [string, number[]][] = [
      ['transformer.wte.weight', [65, 384]],
      ['transformer.wpe.weight', [256, 384]],
      ['transformer.h.0.ln_1.weight', [384]],
      ['transformer.h.0.ln_1.bias', [384]],
      ['transformer.h.0.attn.c_attn.weight', [1152, 384]],
      ['transformer.h.0.attn.c_attn.bias', [1152]],
      ['transformer.h.0.attn.c_proj.weight', [384, 384]],
      ['transformer.h.0.attn.c_proj.bias', [384]],
      ['transformer.h.0.ln_2.weight', [384]],
      ['transformer.h.0.ln_2.bias', [384]],
      ['transformer.h.0.mlp.c_fc.weight', [1536, 384]],
      ['transformer.h.0.mlp.c_fc.bias', [1536]],
      ['transformer.h.0.mlp.c_proj.weight', [384, 1536]],
      ['transformer.h.0.mlp.c_proj.bias', [384]],
      ['transformer.ln_f.weight', [384]],
      ['transformer.ln_f.bias', [384]],
    ];
    expect(paramShapes(cfg)).toEqual(nanoGPT);
  });

  it('counts parameters as nanoGPT does, and the presets have the sizes they claim', () => {
    const size = (cfg: ModelConfig) => paramShapes(cfg).reduce((a, [, s]) => a + s.reduce((x, y) => x * y, 1), 0);
    for (const preset of ['nano', 'micro', 'small']) {
      const cfg = resolveConfig(preset);
      expect(paramCount(cfg)).toBe(size(cfg));
    }
    expect(paramCount(resolveConfig('nano')) / 1e6).toBeCloseTo(0.1, 1);
    expect(paramCount(resolveConfig('micro')) / 1e6).toBeCloseTo(0.8, 1);
    // nanoGPT's shakespeare_char shape, with biases, without wpe (nanoGPT's non_embedding count): 10.67 M at V = 65
    const sc = resolveConfig('small', { vocabSize: 65 });
    expect(((paramCount(sc) - sc.blockSize * sc.nEmbd) / 1e6).toFixed(2)).toBe('10.67');
  });

  it('starts at a loss of ln V on uniform random tokens', () => {
    const cfg = resolveConfig('nano');
    const x = randomTokens(8, cfg.blockSize, cfg.vocabSize, 1);
    const y = randomTokens(8, cfg.blockSize, cfg.vocabSize, 2);
    const loss = meanLoss(cfg, initWeights(cfg, 1337), x, y);
    expect(Math.abs(loss - Math.log(256)) / Math.log(256)).toBeLessThan(0.01);
  });

  it('is causal: changing token t+1 leaves the logits at positions ≤ t identical', () => {
    const cfg = { vocabSize: 32, blockSize: 12, nLayer: 2, nHead: 2, nEmbd: 16, dropout: 0 };
    const p = createParams(cfg, initWeights(cfg, 3));
    const base = Array.from({ length: 12 }, (_, i) => (i * 7) % 32);
    for (const t of [0, 5, 10]) {
      const changed = [...base];
      changed[t + 1] = (changed[t + 1] + 1) % 32;
      const [a, b] = [base, changed].map((s) => forward(p, cfg, tf.tensor2d(s, [1, 12], 'int32')).arraySync()[0]);
      for (let i = 0; i <= t; i++) expect(b[i]).toEqual(a[i]);
      expect(b[t + 1]).not.toEqual(a[t + 1]); // the change is seen where it should be
    }
    disposeParams(p);
  });

  it('has gradients that match central finite differences for every tensor', () => {
    const cfg = { vocabSize: 11, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0 };
    const w0 = initWeights(cfg, 5);
    // larger weights than the init, so every path carries gradient
    const rng = new Rng(9);
    for (const k of Object.keys(w0)) for (let i = 0; i < w0[k].length; i++) w0[k][i] += 0.3 * rng.normal();
    const x = randomTokens(3, 6, 11, 10);
    const y = randomTokens(3, 6, 11, 11);
    const p = createParams(cfg, w0);
    const { grads } = tf.variableGrads(() => tf.mean(tokenNll(forward(p, cfg, x), y)) as tf.Scalar, Object.values(p));
    for (const [name, v] of Object.entries(p)) {
      const g = Array.from(grads[v.name].dataSync());
      const d = Float32Array.from(g, () => rng.normal()); // a random direction within this tensor
      const analytic = g.reduce((a, gi, i) => a + gi * d[i], 0);
      const eps = 1e-2;
      const shifted = (sign: number) => ({ ...w0, [name]: w0[name].map((wi, i) => wi + sign * eps * d[i]) });
      const numeric = (meanLoss(cfg, shifted(1), x, y) - meanLoss(cfg, shifted(-1), x, y)) / (2 * eps);
      expect(Math.abs(numeric - analytic), `${name}: numeric ${numeric}, analytic ${analytic}`).toBeLessThan(2e-3 + 2e-2 * Math.abs(analytic));
    }
    disposeParams(p);
  });
});
