// flopsPerStep against a count by hand for a tiny config, and against the matmuls tfjs really runs
// (tf.profile's BatchMatMul kernels and their shapes) in the forward and in a whole gradient step.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createParams, disposeParams, flopsPerStep, forward, initWeights, tokenNll } from '../src/lib/model/gpt.ts';
import { useBackend } from './helpers.ts';

beforeAll(() => useBackend('cpu'));

const cfg = { vocabSize: 11, blockSize: 6, nLayer: 2, nHead: 2, nEmbd: 8, dropout: 0 };
const B = 3;

const size = (s: number[]) => s.reduce((x, y) => x * y, 1);

/** 2·M·K·N summed over the profile's matmuls, from their shapes, whatever their transpose flags:
 *  the output holds batch·M·N, a holds batch·M·K, and N is the output's last axis. */
function matmulFlops(kernels: { name: string; inputShapes: number[][]; outputShapes: number[][] }[]): number {
  let total = 0;
  for (const k of kernels) {
    if (k.name !== 'BatchMatMul' && k.name !== '_FusedMatMul') continue;
    const out = k.outputShapes[0];
    const K = (size(k.inputShapes[0]) * out[out.length - 1]) / size(out);
    total += 2 * size(out) * K;
  }
  return total;
}

describe('flopsPerStep', () => {
  it('matches a count by hand', () => {
    // B·T = 18 rows, C = 8, 2 heads of 4, V = 11; per layer:
    const qkv = 2 * 18 * 8 * 24; // (18×8)@(8×24)
    const scores = 6 * (2 * 6 * 4 * 6); // B·nh = 6 products (6×4)@(4×6)
    const attV = 6 * (2 * 6 * 6 * 4); // (6×6)@(6×4)
    const proj = 2 * 18 * 8 * 8;
    const fc = 2 * 18 * 8 * 32;
    const mlpProj = 2 * 18 * 32 * 8;
    const head = 2 * 18 * 8 * 11;
    const fwd = 2 * (qkv + scores + attV + proj + fc + mlpProj) + head;
    expect(fwd).toBe(65376);
    expect(flopsPerStep(cfg, B)).toEqual({ forward: fwd, step: 3 * fwd });
  });

  it('matches the matmuls tfjs runs in the forward and in forward + backward', async () => {
    const p = createParams(cfg, initWeights(cfg, 1));
    const x = tf.tensor2d(Array.from({ length: B * 6 }, (_, i) => i % 11), [B, 6], 'int32');
    const f = await tf.profile(() => tf.tidy(() => forward(p, cfg, x, { embed: 'gather' })));
    expect(matmulFlops(f.kernels)).toBe(flopsPerStep(cfg, B).forward);
    const g = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => tf.mean(tokenNll(forward(p, cfg, x, { embed: 'gather' }), x)) as tf.Scalar, Object.values(p));
      tf.dispose([value, ...Object.values(grads)]);
    });
    expect(matmulFlops(g.kernels)).toBe(flopsPerStep(cfg, B).step);
    tf.dispose(x);
    disposeParams(p);
  });
});
