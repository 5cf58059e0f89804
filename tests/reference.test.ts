// kxy's forward pass against PyTorch: tests/fixtures/forward.json holds the logits and loss that an
// independent twin of the model (bench/reference/torch_twin.py, float64) computed for a tiny seeded model,
// whose weights the fixture also holds. Agreement to 1e-5 pins the attention scale, LayerNorm's epsilon,
// the residuals, the GELU and the tied head, which learning-based tests would not notice.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { importModel } from '../src/lib/io/safetensors.ts';
import { createParams, disposeParams, forward, tokenNll } from '../src/lib/model/gpt.ts';
import { useBackend } from './helpers.ts';

interface Fixture {
  config: { vocabSize: number; blockSize: number; nLayer: number; nHead: number; nEmbd: number };
  idx: number[][];
  targets: number[][];
  loss_nats: number;
  logits: number[][][];
  weights_safetensors_base64: string;
}

const fx = JSON.parse(readFileSync(new URL('./fixtures/forward.json', import.meta.url), 'utf8')) as Fixture;

beforeAll(() => useBackend('cpu'));

describe('forward pass against the PyTorch twin', () => {
  it('gives the twin’s logits and loss to 1e-5', async () => {
    const model = importModel(new Uint8Array(Buffer.from(fx.weights_safetensors_base64, 'base64')));
    expect(model.cfg).toMatchObject(fx.config);
    const params = createParams(model.cfg, model.weights);
    const B = fx.idx.length;
    const T = fx.idx[0].length;
    const logits = forward(params, model.cfg, tf.tensor2d(fx.idx, [B, T], 'int32'));
    const loss = tf.mean(tokenNll(logits, tf.tensor2d(fx.targets, [B, T], 'int32')));
    const got = (await logits.array()) as number[][][];
    const want = fx.logits;
    expect([got.length, got[0].length, got[0][0].length]).toEqual([B, T, model.cfg.vocabSize]);
    let worst = 0;
    got.forEach((row, b) => row.forEach((l, t) => l.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - want[b][t][k]))))));
    expect(worst).toBeLessThan(1e-5);
    expect(Math.abs((await loss.data())[0] - fx.loss_nats)).toBeLessThan(1e-5);
    // the fixture is not trivial: its logits differ across positions by far more than the tolerance
    const spread = Math.max(...want.flat(2)) - Math.min(...want.flat(2));
    expect(spread).toBeGreaterThan(0.1);
    disposeParams(params);
    tf.dispose([logits, loss]);
  });
});
