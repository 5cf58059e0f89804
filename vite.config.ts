// Vite serves and builds the app; Vitest runs two projects: `node` (the engine on cpu, wasm and Dawn's
// WebGPU) and `browser` (the worker and the page in Debian's chromium with WebGPU on SwiftShader).
import { existsSync } from 'node:fs';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

// Without a GPU, Dawn (the npm package `webgpu`) finds SwiftShader's Vulkan driver through this file.
const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const vulkanEnv: Record<string, string> =
  !process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD) ? { VK_ICD_FILENAMES: SWIFTSHADER_ICD } : {};

export default defineConfig({
  base: process.env.KXY_BASE ?? './',
  plugins: [svelte()],
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 4000 },
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
    ],
  },
});
