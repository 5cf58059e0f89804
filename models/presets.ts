// Model presets: partial overrides of DEFAULTS in src/lib/config.ts. One line per knob, with its reason.
// No imports: config.ts imports this file and type-checks every preset against RunConfig there.

export type PresetName = 'nano' | 'micro' | 'small';

export const PRESETS = {
  // ~0.12 M parameters at V = 256: the app's default, a few minutes on wasm for a bundled pair; for tests and first looks.
  nano: {
    blockSize: 64, // short context keeps a step cheap on CPU
    nLayer: 2, // two blocks are enough to learn bigram-and-beyond statistics
    nHead: 4, // head size 16
    nEmbd: 64, // width
    batchSize: 16, // 1024 tokens per step
    lr: 3e-3, // tiny models tolerate (and need, for short runs) a high learning rate
    warmupSteps: 20, // short warmup: runs are short
    zLoss: 1e-4, // without it a run on few byte values spiked to 3× its loss (bench/README.md, preset stability)
  },
  // ~0.84 M parameters at V = 256: for a real GPU; several times nano's time per token on wasm.
  micro: {
    blockSize: 128, // long enough to use word- and sentence-level context
    nLayer: 4, // depth
    nHead: 4, // head size 32
    nEmbd: 128, // width
    batchSize: 32, // 4096 tokens per step
    lr: 2e-3, // still small: a high rate is fine
    warmupSteps: 50, // a little longer than nano's
    zLoss: 1e-4, // as nano
  },
  // nanoGPT's config/train_shakespeare_char.py shape: ~10.8 M parameters. Wants a real GPU.
  small: {
    blockSize: 256, // context of up to 256 previous tokens
    nLayer: 6, // as nanoGPT shakespeare_char
    nHead: 6, // head size 64
    nEmbd: 384, // width
    batchSize: 64, // as nanoGPT shakespeare_char
    dropout: 0, // nanoGPT uses 0.2, but one pass sees each token once: nothing to overfit (and tfjs dropout is slow)
    lr: 1e-3, // as nanoGPT shakespeare_char
    beta2: 0.99, // as nanoGPT: few tokens per step
    warmupSteps: 100, // as nanoGPT shakespeare_char
    zLoss: 1e-4, // as nano; PaLM's value
  },
} as const;
