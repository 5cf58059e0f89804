// Vite serves and builds the app; Vitest runs two projects: `node` (the engine on cpu, wasm and Dawn's
// WebGPU) and `browser` (the worker and the page in Debian's chromium with WebGPU on SwiftShader).
import { existsSync } from 'node:fs';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

// Without a GPU, Dawn (the npm package `webgpu`) finds SwiftShader's Vulkan driver through this file.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
// Debian's chromium, not a downloaded one; WebGPU there runs on SwiftShader when there is no GPU.
export const CHROMIUM = process.env.KXY_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic', '--enable-unsafe-webgpu'];

// Cross-origin isolation (crossOriginIsolated = true), so tfjs-backend-wasm can use SharedArrayBuffer and its
// threaded-SIMD build. Everything the page loads is same-origin, so require-corp blocks nothing.
// Static hosts: public/_headers says the same (bench/README.md, "wasm threads").
export const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

const vulkanEnv: Record<string, string> =
  !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD) ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {};

export default defineConfig({
  base: process.env.KXY_BASE ?? './',
  plugins: [svelte()],
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
  // listed up front so the dev server (and the browser tests) never re-optimise and reload mid-run
  optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', '@tensorflow/tfjs-backend-wasm', 'chart.js', 'idb-keyval'] },
  // Not minified: tfjs-backend-wasm hands its threaded module's source (factory.toString()) to the pthread
  // workers, and minified, that source names helpers the workers do not have ("e is not defined"), so a built page
  // never started wasm. Costs ~12% more gzipped script (4.39 → 4.93 MB); tests/e2e/isolation.test.ts checks a build.
  build: { target: 'es2022', chunkSizeWarningLimit: 4000, minify: false },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/browser/**', 'tests/e2e/**'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          env: { ...vulkanEnv, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? '/tmp' },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          testTimeout: 300_000,
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
