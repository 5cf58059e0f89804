// `npm run compress`: a real file whose size is the learner's code. Compresses a file into .kxy (optionally
// given X), or decompresses one by learning the same model again; prints the sizes against the summed −log2 p,
// gzip and xz, and the speeds.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../lib/backend.ts';
import { UserError, resolveConfig } from '../lib/config.ts';
import { compress, decompress, type CodecProgress } from '../lib/coder/codec.ts';
import { readKxy } from '../lib/coder/format.ts';
import { bar, fail, parseSet, readInput, runMain } from './common.ts';

const USAGE = `usage: npm run compress -- --in FILE [--given X] [options]
       npm run compress -- --decompress FILE.kxy [--given X] --out FILE

  --in FILE            the file to compress (any bytes; text for --set tokenizer=char)
  --given X            code FILE given X: learn X first, then FILE (the file's size is C(FILE|X));
                       decoding needs the same X
  --out FILE           where to write (default: FILE.kxy when compressing)
  --preset NAME        nano | micro | small (default nano)
  --backend NAME       wasm (default) | cpu: the decoder must use the same one; WebGPU is not
                       deterministic enough to repeat the encoder's arithmetic bit for bit
  --set KEY=VALUE      override a config knob, e.g. --set maxBytes=20000 (repeatable; recorded in the file)
  --verify             after compressing, decode the file and check it (slower than encoding: it runs
                       about one forward pass per token position of each batch)
  --decompress FILE    decode a .kxy file (on the backend it records)
  -h, --help           this text`;

function writeOutput(path: string, data: Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new UserError(`cannot write --out '${path}': ${(e as Error).message}`);
  }
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const secs = (s: number) => `${s.toFixed(1)} s`;

/** A one-line progress bar on stderr (terminals only), with bytes per second of the phase. */
function progress(totalBytes: number): { update: (p: CodecProgress) => void; done: () => void } {
  const tty = process.stderr.isTTY === true;
  let phase = '';
  let t0 = performance.now();
  return {
    update(p) {
      if (!tty) return;
      if (p.phase !== phase) {
        phase = p.phase;
        t0 = performance.now();
      }
      const frac = p.total > 0 ? p.done / p.total : 1;
      const rate = ((frac * totalBytes) / Math.max(1e-3, (performance.now() - t0) / 1000)).toFixed(0);
      const what = p.phase === 'learn X' ? 'learning X' : p.phase === 'code' ? 'coding' : 'tail';
      // the training stream is most of the input, so this rate is close (the tail is the rest)
      process.stderr.write(`\r${bar(frac)} ${String(Math.floor(frac * 100)).padStart(3)}% ${what} ${p.done}/${p.total}${p.phase === 'code' ? `, ~${rate} bytes/s` : ''}\x1b[K`);
    },
    done() {
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}

function xzSize(data: Uint8Array): number | null {
  const r = spawnSync('xz', ['-9e', '-c', '-T1'], { input: data, maxBuffer: 1 << 30 });
  return r.status === 0 ? r.stdout.length : null;
}

async function useBackend(name: string): Promise<void> {
  if (name !== 'cpu' && name !== 'wasm') {
    throw new UserError(`--backend must be wasm or cpu, not '${name}': WebGPU is not deterministic enough for the decoder to repeat the encoder's arithmetic bit for bit`);
  }
  tf.enableProdMode();
  await selectBackend(name);
}

async function runCompress(args: Record<string, string | boolean | string[] | undefined>): Promise<void> {
  const inPath = args.in as string;
  const input = readInput('--in', inPath);
  const given = args.given !== undefined ? readInput('--given', args.given as string) : undefined;
  const cfg = resolveConfig(args.preset as string, parseSet(args.set as string[]));
  await useBackend((args.backend as string | undefined) ?? 'wasm');
  const out = (args.out as string | undefined) ?? `${inPath}.kxy`;

  const bar = progress(cfg.maxBytes > 0 ? Math.min(cfg.maxBytes, input.length) : input.length);
  const t0 = performance.now();
  const r = await compress(input, cfg, { given, name: basename(inPath), onProgress: bar.update });
  const encodeS = (performance.now() - t0) / 1000;
  bar.done();
  writeOutput(out, r.file);

  const h = r.header;
  const data = input.subarray(0, r.inputBytes);
  const lines: string[] = [];
  const V = h.tokenizer.type === 'byte' ? 256 : h.tokenizer.chars.length;
  lines.push(`kxy: ${h.backend.name} (${h.backend.detail}); preset ${h.config.preset}; ${h.tokenizer.type} tokenizer (V = ${V})${given ? `; given X: ${int(given.length)} bytes` : ''}`);
  if (r.inputBytes < input.length) lines.push(`  maxBytes = ${h.config.maxBytes}: coded the first ${int(r.inputBytes)} of ${int(input.length)} bytes`);
  const bpb = (bytes: number) => `${((8 * bytes) / Math.max(1, r.inputBytes)).toFixed(3)} bits/byte`;
  lines.push(`  input        ${int(r.inputBytes).padStart(10)} bytes`);
  lines.push(`  file         ${int(r.file.length).padStart(10)} bytes   ${bpb(r.file.length)}${given ? ', the code of the input given X' : ''}`);
  lines.push(`    header     ${int(r.headerBytes).padStart(10)} bytes`);
  if (h.mode === 'stored') {
    lines.push(`    stored     ${int(r.tail.bytes).padStart(10)} bytes   too short to learn from (needs a window to train on and one held out): kept as it is`);
  } else {
    const p = r.prequential;
    lines.push(
      `    prequential ${int(p.bytes).padStart(9)} bytes   ${int(p.tokens)} tokens coded before the model trained on them; Σ −log2 p = ${int(p.bits / 8)} bytes ` +
        `(×${(p.bytes / (p.bits / 8)).toFixed(5)}); the training run's own code: ${int(p.runBits / 8)} bytes`,
    );
    lines.push(`    tail       ${int(r.tail.bytes).padStart(10)} bytes   ${int(r.tail.tokens)} held-out tokens, coded by the final model; Σ −log2 p = ${int(r.tail.bits / 8)} bytes`);
  }
  const gz = gzipSync(data, { level: 9 }).length;
  const xz = xzSize(data);
  lines.push(`  gzip -9      ${int(gz).padStart(10)} bytes   ${bpb(gz)}`);
  lines.push(xz === null ? '  xz           (xz not found)' : `  xz -9e       ${int(xz).padStart(10)} bytes   ${bpb(xz)}`);
  lines.push(
    `  encode: ${secs(encodeS)}${given ? ` (learning X ${secs(r.seconds.learnX)}, coding ${secs(r.seconds.code)})` : ''}: ${int(r.inputBytes / Math.max(1e-9, r.seconds.code))} bytes/s`,
  );
  process.stdout.write(lines.join('\n') + '\n');

  if (args.verify) {
    const dbar = progress(r.inputBytes);
    const d = await decompress(r.file, { given, onProgress: dbar.update });
    dbar.done();
    const same = d.data.length === data.length && d.data.every((b, i) => b === data[i]);
    process.stdout.write(
      `  decode: ${secs(d.seconds.learnX + d.seconds.code)}: ${int(r.inputBytes / Math.max(1e-9, d.seconds.code))} bytes/s, ` +
        `${(d.seconds.code / Math.max(1e-9, r.seconds.code)).toFixed(1)}× the encoder's coding time; round trip ${same ? 'bit-exact' : 'DIFFERS'}\n`,
    );
    if (!same) throw new Error('the decoded file differs from the input');
  }
  process.stdout.write(`wrote ${out}\n`);
}

async function runDecompress(args: Record<string, string | boolean | string[] | undefined>): Promise<void> {
  const path = args.decompress as string;
  if (!args.out) throw new UserError('--decompress needs --out FILE');
  if (args.in !== undefined || (args.set as string[]).length > 0) throw new UserError('--in and --set are for compressing: a .kxy file carries its own config');
  const file = readInput('--decompress', path);
  const given = args.given !== undefined ? readInput('--given', args.given as string) : undefined;
  const { header } = await readKxy(file); // checks the file before anything starts
  await useBackend((args.backend as string | undefined) ?? header.backend.name);
  const bar = progress(header.input.bytes);
  const d = await decompress(file, { given, onProgress: bar.update });
  bar.done();
  writeOutput(args.out as string, d.data);
  const s = d.seconds;
  process.stdout.write(
    `kxy: decoded ${int(d.data.length)} bytes from ${int(file.length)} on ${header.backend.name} (${header.backend.detail}) in ${secs(s.learnX + s.code)}` +
      `${header.given ? ` (learning X ${secs(s.learnX)})` : ''}: ${int(d.data.length / Math.max(1e-9, s.code))} bytes/s; length and CRC-32 check; wrote ${args.out}` +
      `${header.name ? ` (the original was ${header.name})` : ''}\n`,
  );
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        in: { type: 'string' },
        given: { type: 'string' },
        out: { type: 'string' },
        preset: { type: 'string', default: 'nano' },
        backend: { type: 'string' },
        set: { type: 'string', multiple: true, default: [] },
        verify: { type: 'boolean', default: false },
        decompress: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (args.decompress !== undefined) return runDecompress(args);
  if (args.in === undefined) throw new UserError(`--in FILE (to compress) or --decompress FILE.kxy is required\n${USAGE}`);
  return runCompress(args);
}

runMain(main);
