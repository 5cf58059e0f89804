// The learning codec end to end: compresses a file (a bundled pair's Y by default), optionally given X,
// decodes it back, checks it bit for bit, and prints the sizes, the summed −log2 p, and the speeds.
// Usage: npx tsx bench/codec.ts [--pair sotu] [--in FILE] [--given-x] [--preset nano] [--backend wasm]
//        [--set maxBytes=20000 ...] [--no-decode]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { findPair } from '../datasets/index.ts';
import { selectBackend } from '../src/lib/backend.ts';
import { DEFAULTS, resolveConfig, type RunConfig } from '../src/lib/config.ts';
import { compress, decompress } from '../src/lib/coder/codec.ts';

const { values: a } = parseArgs({
  options: {
    pair: { type: 'string', default: 'sotu' },
    in: { type: 'string' },
    'given-x': { type: 'boolean', default: false },
    preset: { type: 'string', default: 'nano' },
    backend: { type: 'string', default: 'wasm' },
    set: { type: 'string', multiple: true, default: [] },
    'no-decode': { type: 'boolean', default: false },
  },
});
tf.enableProdMode();
const overrides: Record<string, unknown> = {};
for (const kv of a.set!) {
  const [k, v] = kv.split('=');
  overrides[k] = typeof DEFAULTS[k as keyof RunConfig] === 'number' ? Number(v) : v;
}
const cfg = resolveConfig(a.preset, overrides as Partial<RunConfig>);
const pair = findPair(a.pair!);
if (!pair) throw new Error(`no pair ${a.pair}`);
const { x, y } = await pair.load();
const input = a.in ? new Uint8Array(readFileSync(a.in)) : y;
const given = a['given-x'] ? x : undefined;
const info = await selectBackend(a.backend as 'wasm' | 'cpu');

const t0 = performance.now();
const r = await compress(input, cfg, { given });
const encS = (performance.now() - t0) / 1000;
const p = r.prequential;
const f = (n: number, d = 3) => n.toFixed(d);
console.log(`${cfg.preset} on ${info.name} (${r.header.backend.detail}); input ${a.in ?? `${pair.id} Y`}${given ? `, given ${pair.id} X (${x.length} bytes)` : ''}; ${r.inputBytes} bytes coded`);
console.log(`file ${r.file.length} bytes = header ${r.headerBytes} + prequential ${p.bytes} + tail ${r.tail.bytes}; ${f((8 * r.file.length) / r.inputBytes)} bits/byte`);
console.log(
  `prequential: ${p.tokens} tokens (${p.uniformTokens} uniform); Σ−log2 p = ${f(p.bits, 1)} bits = ${f(p.bits / 8, 1)} bytes; ` +
    `quantized ${f(p.quantizedBits / 8, 1)} bytes; run's own code ${f(p.runBits / 8, 1)} bytes; section/(Σ−log2 p / 8) = ${f(p.bytes / (p.bits / 8), 5)}`,
);
console.log(`decoder forwards: ${p.forwards} for ${r.header.config.batchSize}-window batches of T = ${r.header.config.blockSize} (prequential), ${r.tail.forwards} (tail)`);
console.log(`tail: ${r.tail.tokens} tokens (${r.tail.uniformTokens} uniform); Σ−log2 p = ${f(r.tail.bits / 8, 1)} bytes; section ${r.tail.bytes} bytes`);
console.log(`encode: ${f(encS, 1)} s (learning X ${f(r.seconds.learnX, 1)} s, coding ${f(r.seconds.code, 1)} s): ${f(r.inputBytes / r.seconds.code, 0)} bytes/s coding`);
if (!a['no-decode']) {
  const t1 = performance.now();
  const d = await decompress(r.file, { given });
  const decS = (performance.now() - t1) / 1000;
  const same = d.data.length === r.inputBytes && d.data.every((b, i) => b === input[i]);
  console.log(`decode: ${f(decS, 1)} s (learning X ${f(d.seconds.learnX, 1)} s, decoding ${f(d.seconds.code, 1)} s): ${f(r.inputBytes / d.seconds.code, 0)} bytes/s; ` + `${f(d.seconds.code / r.seconds.code, 1)}× the encoder's coding time; round trip ${same ? 'bit-exact' : 'DIFFERS'}`);
  if (!same) process.exitCode = 1;
}
process.exit(process.exitCode ?? 0);
