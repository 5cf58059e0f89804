// What every e2e file starts from: Vite's dev server on a free port (no reloads or file watching mid-test)
// and Debian's chromium with WebGPU (SwiftShader where there is no GPU).
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../../vite.config.ts';

export interface App {
  server: ViteDevServer;
  browser: Browser;
  url: string; // the page's address
}

export async function startApp(): Promise<App> {
  const server = await createServer({ configFile: join(import.meta.dirname, '../../vite.config.ts'), server: { port: 0, host: '127.0.0.1', hmr: false, watch: null }, logLevel: 'warn' });
  await server.listen();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return { server, browser, url: server.resolvedUrls!.local[0] };
}

/** One app per test file: starts it before the file's tests and closes it after them (the fields are set once
 *  the file's first beforeAll has run, so read them inside hooks and tests). */
export function useApp(): App {
  const app = {} as App;
  beforeAll(async () => {
    Object.assign(app, await startApp());
  });
  afterAll(async () => {
    await app.browser?.close();
    await app.server?.close();
  });
  return app;
}
