// The shareable URL: settings round-trip through the query string, and nothing a link holds can crash the page.
import { describe, expect, it } from 'vitest';
import { decodeSettings, encodeSettings, hasSettings, type UrlSettings } from '../src/app/url.ts';

describe('settings in the URL', () => {
  it('round-trips every field, leaving defaults out', () => {
    const s: UrlSettings = { pair: 'sotu-1790s', preset: 'micro', tokenizer: 'char', backend: 'wasm', seed: 7, passes: 2, steps: 0, minutes: 1.5, lr: 0.003, batchSize: 8, blockSize: 32 };
    expect(decodeSettings(encodeSettings(s))).toEqual(s);
    expect(encodeSettings({ preset: 'nano', seed: 1337 }, { preset: 'nano', seed: 1337 })).toBe('');
  });

  it('ignores unknown keys and bad or out-of-range values', () => {
    const got = decodeSettings('?preset=huge&tok=bpe&backend=tpu&seed=-1&passes=0&lr=NaN&batch=1e9&block=abc&pair=../../etc&min=-5&x=1&steps=12');
    expect(got).toEqual({ steps: 12 });
    expect(hasSettings('?utm_source=mail')).toBe(false);
    expect(hasSettings('?preset=small')).toBe(true);
    expect(decodeSettings('%%%')).toEqual({});
  });
});
