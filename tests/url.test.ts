// The shareable URL: settings round-trip through the query string, bad values are reported (not silently
// dropped), and nothing a link holds can crash the page.
import { describe, expect, it } from 'vitest';
import { decodeSettings, encodeSettings, hasSettings, readLink, type UrlSettings } from '../src/app/url.ts';

describe('settings in the URL', () => {
  it('round-trips every field, leaving defaults out', () => {
    const s: UrlSettings = {
      pair: 'sotu-1790s', preset: 'micro', tokenizer: 'char', backend: 'wasm', seed: 7, passes: 2, steps: 0, minutes: 1.5, lr: 0.003, batchSize: 8, blockSize: 32,
      control: 'noise', seeds: 3, replay: 0,
      unit: 'bpt', axis: 'tokensY', log: true, smooth: false, showTrain: false, showCode: true,
    };
    expect(decodeSettings(encodeSettings(s))).toEqual(s);
    expect(encodeSettings({ preset: 'nano', seed: 1337, log: false }, { preset: 'nano', seed: 1337, log: false })).toBe('');
    expect(encodeSettings({ unit: 'bpt', log: true, smooth: true })).toBe('unit=bpt&log=1&smooth=1');
  });

  it('reads the control, seeds and replay, within their ranges', () => {
    expect(decodeSettings('?control=none&seeds=5&replay=7')).toEqual({ control: 'none', seeds: 5, replay: 7 });
    const { settings, ignored } = readLink('?control=random&seeds=6&replay=8&seeds=0');
    expect(settings).toEqual({});
    expect(ignored.map((i) => i.key)).toEqual(['control', 'seeds', 'replay']);
  });

  it('ignores unknown keys and bad or out-of-range values', () => {
    const got = decodeSettings('?preset=huge&tok=bpe&backend=tpu&seed=-1&passes=0&lr=NaN&batch=1e9&block=abc&pair=../../etc&min=-5&x=1&steps=12&unit=nats&log=maybe');
    expect(got).toEqual({ steps: 12 });
    expect(hasSettings('?utm_source=mail')).toBe(false);
    expect(hasSettings('?preset=small')).toBe(true);
    expect(decodeSettings('%%%')).toEqual({});
  });

  it('lists the values it ignored, with what it expected, and not keys that are not its own', () => {
    const { settings, ignored } = readLink('?preset=huge&steps=12&tok=bpe&utm_source=mail&log=yes');
    expect(settings).toEqual({ steps: 12 });
    expect(ignored.map((i) => `${i.key}=${i.value}`)).toEqual(['preset=huge', 'tok=bpe', 'log=yes']);
    expect(ignored[0].expected).toMatch(/nano/);
    expect(ignored[0].expected).toMatch(/micro/);
    expect(readLink('?preset=nano').ignored).toEqual([]);
  });

  it('does not count the chart view options as training settings', () => {
    // a link that only picks the unit must not override the stored experiment's settings on reload
    expect(hasSettings('?unit=bpt&axis=step&log=1&smooth=1')).toBe(false);
    expect(decodeSettings('?unit=bpt&axis=step&log=1&smooth=0')).toEqual({ unit: 'bpt', axis: 'step', log: true, smooth: false });
    expect(hasSettings('?unit=bpt&steps=5')).toBe(true);
  });
});
