// End to end: the .kxy panel. A file compressed in the page (Y given X, tiny config) decodes bit-exact with
// `npm run compress -- --decompress`, and a file Node made decodes in the page: the page's codec worker runs
// the same single-threaded wasm build as Node although the page is cross-origin isolated (threads on).
// Also: the page's own check by decoding, and one clear message each for a truncated file and the wrong X.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../src/lib/backend.ts';
import { compress } from '../../src/lib/coder/codec.ts';
import { resolveConfig } from '../../src/lib/config.ts';
import { useApp } from './serve.ts';

const app = useApp();

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
/** The CLI as a user runs it (tsx, its own Node process). */
const cli = (args: string[]) => run(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, 'src/cli/compress.ts'), ...args], { cwd: ROOT });

let page: Page;
let dir: string;

// two related texts of about 700 bytes: a few steps at T = 16, B = 4
const sentence = (i: number, who: string) => `${who} said the ${['river', 'market', 'school', 'bridge', 'harvest'][i % 5]} would ${['grow', 'open', 'change', 'hold'][i % 4]} by spring ${1990 + (i % 7)}. `;
const X = new TextEncoder().encode(Array.from({ length: 12 }, (_, i) => sentence(i, 'The mayor')).join(''));
const Y = new TextEncoder().encode(Array.from({ length: 12 }, (_, i) => sentence(i * 3 + 1, 'Our governor')).join(''));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kxy-codec-e2e-'));
  writeFileSync(join(dir, 'X.txt'), X);
  writeFileSync(join(dir, 'Y.txt'), Y);
  page = await (await app.browser.newContext({ viewport: { width: 390, height: 900 }, acceptDownloads: true })).newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('filechooser', () => {}); // intercept pickers from the start (see a11y.test.ts)
});

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const byTest = (id: string) => page.getByTestId(id);
const text = async (id: string) => (await byTest(id).textContent()) ?? '';
const num = (s: string) => Number(s.replace(/[^\d]/g, ''));

async function download(id: string): Promise<string> {
  const d = page.waitForEvent('download');
  await byTest(id).click();
  const file = join(dir, `dl-${(await d).suggestedFilename()}`);
  await (await d).saveAs(file);
  return file;
}

describe('the .kxy panel', () => {
  it('takes X and Y from files, with a tiny config from the link', async () => {
    await page.goto(`${app.url}?preset=nano&backend=wasm&block=16&batch=4`);
    await expect.poll(() => text('y-info'), { timeout: 60_000 }).toMatch(/tokens/); // the default pair has loaded
    await byTest('x-file').setInputFiles(join(dir, 'X.txt'));
    await byTest('y-file').setInputFiles(join(dir, 'Y.txt'));
    for (const [id, b] of [['x-info', X], ['y-info', Y]] as const) await expect.poll(() => text(id)).toContain(`${b.length.toLocaleString('en-US')} bytes`);
  });

  it('compresses Y given X in the page; the CLI decodes the file bit-exact; the page checks it too', async () => {
    await byTest('codec-compress').click();
    await expect.poll(() => byTest('codec-result').count(), { timeout: 60_000 }).toBe(1);
    const parts = await Promise.all(['codec-header-bytes', 'codec-preq-bytes', 'codec-tail-bytes'].map(async (id) => num(await text(id))));
    expect(parts.every((n) => n > 0)).toBe(true);
    expect(parts[0] + parts[1] + parts[2]).toBe(num(await text('codec-file-bytes')));
    expect(await text('codec-gzip')).toMatch(/\d bytes/);
    const kxy = await download('codec-download');
    expect(kxy).toMatch(/Y\.txt\.kxy$/);
    expect(readFileSync(kxy).length).toBe(num(await text('codec-file-bytes')));
    await cli(['--decompress', kxy, '--given', join(dir, 'X.txt'), '--out', join(dir, 'from-page.txt')]);
    expect(Buffer.compare(readFileSync(join(dir, 'from-page.txt')), Buffer.from(Y))).toBe(0);
    // the page's own check
    await byTest('codec-verify').click();
    await expect.poll(() => text('codec-verified'), { timeout: 60_000 }).toMatch(/bit-exact/);
  });

  it('decodes a file Node made (the CLI’s compress(), in this process), under its original name, with the X on screen', async () => {
    tf.enableProdMode(); // as the CLI
    await selectBackend('wasm');
    const r = await compress(Y, resolveConfig('nano', { blockSize: 16, batchSize: 4 }), { given: X, name: 'cli-Y.txt' });
    expect(r.header.backend.detail).toBe('simd, 1 thread');
    writeFileSync(join(dir, 'cli.kxy'), r.file);
    await byTest('codec-file').setInputFiles(join(dir, 'cli.kxy'));
    await expect.poll(() => text('codec-x-chosen'), { timeout: 30_000 }).toMatch(/the X on screen/);
    await byTest('codec-decompress').click();
    await expect.poll(() => byTest('codec-decoded').count(), { timeout: 60_000 }).toBe(1);
    const out = await download('codec-decoded');
    expect(out).toMatch(/dl-cli-Y\.txt$/);
    expect(Buffer.compare(readFileSync(out), Buffer.from(Y))).toBe(0);
  });

  it('at 390 px: no overflow, the picker opens from the keyboard, and axe finds nothing serious in the panel', async () => {
    const panel = byTest('codec');
    expect(await panel.evaluate((el) => el.scrollWidth <= el.clientWidth + 1)).toBe(true);
    await byTest('codec-pick').focus();
    const chooser = page.waitForEvent('filechooser');
    await page.keyboard.press('Enter');
    expect((await chooser).isMultiple()).toBe(false);
    await page.addScriptTag({ path: createRequire(import.meta.url).resolve('axe-core/axe.min.js') });
    const serious = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (c: Element, o: object) => Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe;
      const r = await axe.run(document.querySelector('[data-testid=codec]')!, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
    });
    expect(serious).toEqual([]);
  });

  it('says what is wrong with a truncated file, and with the wrong X', async () => {
    const whole = readFileSync(join(dir, 'cli.kxy'));
    writeFileSync(join(dir, 'cut.kxy'), whole.subarray(0, whole.length - 10));
    await byTest('codec-file').setInputFiles(join(dir, 'cut.kxy'));
    await expect.poll(() => text('codec-pick-error'), { timeout: 30_000 }).toMatch(/truncated: \d+ bytes of \d+ \(10 missing\)/);
    await byTest('codec-file').setInputFiles(join(dir, 'cli.kxy'));
    await expect.poll(() => text('codec-x-chosen'), { timeout: 30_000 }).toMatch(/the X on screen/);
    writeFileSync(join(dir, 'other-X.txt'), Y);
    await byTest('codec-x-file').setInputFiles(join(dir, 'other-X.txt'));
    await byTest('codec-decompress').click();
    await expect.poll(() => text('codec-decode-error'), { timeout: 30_000 }).toMatch(/is not the X this file was coded with/);
  });
});
