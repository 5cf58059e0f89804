// The numbers of the compression panel, from the runs' latest validation and prequential codes: per source,
// each run's validation bits per byte and code length, gzip's size for the same text, and what knowing the
// other source saved. Pure functions over the Lab's state; the component only lays them out.
import { bitsPerByte, type CodeLength, type Conditional } from '../lib/metrics/bits.ts';
import type { RunView } from '../app/runs.svelte.ts';
import type { PlannedSource } from '../worker/protocol.ts';

export interface RunCell {
  run: string;
  valBpb: number | null; // latest validation bits per byte on this source
  code: CodeLength | null; // prequential code of this source's training split so far (null: the run does not train on it)
  codeBpb: number | null;
  coverage: number; // fraction of the training split the code covers so far
}

export interface SourceRow {
  name: string; // 'X' or 'Y'
  label: string;
  trainBytes: number;
  gzipBytes: number;
  gzipBpb: number;
  cells: RunCell[];
}

export interface Saving {
  target: string; // 'Y' in C(Y) − C(Y|X)
  other: string;
  alone: CodeLength;
  given: CodeLength;
  aloneBpb: number;
  givenBpb: number;
  bits: number; // saved bits (negative: knowing the other source cost bits)
  exact: boolean; // false: extrapolated from bits per byte because the two codes cover different amounts so far
  fraction: number; // of C(target)
  bytesOfText: number; // what `bits` refers to
}

export function sourceRows(runs: RunView[], sources: PlannedSource[]): SourceRow[] {
  return sources.map((s) => ({
    name: s.name,
    label: s.label,
    trainBytes: s.trainBytes,
    gzipBytes: s.gzipTrainBytes,
    gzipBpb: s.trainBytes > 0 ? (8 * s.gzipTrainBytes) / s.trainBytes : NaN,
    cells: runs.map((r) => {
      const v = r.val[s.name];
      const trains = r.trainSources.includes(s.name);
      const c = trains ? (r.code[s.name] ?? null) : null;
      const code = c && c.tokens > 0 ? c : null;
      return {
        run: r.name,
        valBpb: v ? v.bitsPerByte : null,
        code,
        codeBpb: code ? bitsPerByte(code) : null,
        coverage: code && s.trainBytes > 0 ? Math.min(1, code.bytes / s.trainBytes) : 0,
      };
    }),
  }));
}

/** C(target) − C(target|other) in bits: exact when both codes cover the same text, else bits per byte × the training text. */
export function saving(key: 'Y|X' | 'X|Y', c: Conditional | undefined, sources: PlannedSource[]): Saving | null {
  if (!c) return null;
  const [target, other] = key.split('|');
  const src = sources.find((s) => s.name === target);
  const exact = c.savedBits !== null;
  const bytesOfText = exact ? c.alone.bytes : (src?.trainBytes ?? c.alone.bytes);
  const bits = c.savedBits ?? c.savedBitsPerByte * bytesOfText;
  return {
    target,
    other,
    alone: c.alone,
    given: c.given,
    aloneBpb: bitsPerByte(c.alone),
    givenBpb: bitsPerByte(c.given),
    bits,
    exact,
    fraction: c.savedFraction,
    bytesOfText,
  };
}
