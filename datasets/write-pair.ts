// `npx tsx datasets/write-pair.ts ID DIR`: writes a bundled pair's X and Y to DIR/X.txt and DIR/Y.txt, to
// train on with the CLI (npm run train -- --x DIR/X.txt --y DIR/Y.txt) or to read. Lists the ids without ID.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PAIRS, findPair } from './index.ts';

const [id, dir] = process.argv.slice(2);
const pair = id === undefined ? undefined : findPair(id);
if (!pair || !dir) {
  process.stderr.write(`usage: npx tsx datasets/write-pair.ts ID DIR\n${PAIRS.map((p) => `  ${p.id.padEnd(16)} ${p.title}`).join('\n')}\n`);
  process.exit(2);
}
const { x, y } = await pair.load();
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'X.txt'), x);
writeFileSync(join(dir, 'Y.txt'), y);
process.stdout.write(`${pair.id}: X ${x.length} bytes (${pair.xName}), Y ${y.length} bytes (${pair.yName}) → ${dir}\n`);
