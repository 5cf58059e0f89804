// The bundled X/Y pairs the app offers, and which one it opens with. Deliberately tiny: no text here. Each
// pair's load() reaches its sources through dynamic import(), so Vite puts them in chunks fetched on demand.

export interface BundledPair {
  id: string; // stable: for URLs and saved settings
  title: string; // short, for a picker
  blurb: string; // one sentence a student understands: what X and Y are, and what to expect
  xName: string; // what X is, in a few words
  yName: string;
  load(): Promise<{ x: Uint8Array; y: Uint8Array }>; // fresh arrays each call: the caller may keep or change them
}

const sotuYName = 'Obama, State of the Union 2009–2011';

export const PAIRS: BundledPair[] = [
  {
    id: 'sotu',
    title: 'English → English: Bush, then Obama',
    blurb:
      'X is four State of the Union addresses by George W. Bush and Y is three by Barack Obama: the same language ' +
      'but different text, so a model that has already learnt English spelling and words from X should code Y clearly shorter (roughly 10–25%).',
    xName: 'G. W. Bush, State of the Union 2001–2004',
    yName: sotuYName,
    load: async () => {
      const [x, y] = await Promise.all([import('./sources/sotu-bush.ts'), import('./sources/sotu-obama.ts')]);
      return { x: x.bytes(), y: y.bytes() };
    },
  },
  {
    id: 'sotu-washington',
    title: 'Old English → modern English: Washington, then Obama',
    blurb:
      "X is George Washington's annual messages of the 1790s and Y the same Obama addresses as the first pair: " +
      'still English, but two centuries apart in words and style, so compare how much X saves here with the first pair.',
    xName: 'Washington, annual messages 1790–1796',
    yName: sotuYName,
    load: async () => {
      const [x, y] = await Promise.all([import('./sources/sotu-washington.ts'), import('./sources/sotu-obama.ts')]);
      return { x: x.bytes(), y: y.bytes() };
    },
  },
  {
    id: 'markov-english',
    title: 'Nothing in common: random letters, then English',
    blurb:
      'X is a machine-made stream of random letters that tend to repeat and Y the same Obama addresses: X shares no words or ' +
      'grammar with Y, so expect it to save about nothing, or even to cost a little.',
    xName: 'sticky Markov chain over 16 letters (seed 1)',
    yName: sotuYName,
    load: async () => {
      const [m, y] = await Promise.all([import('./sources/markov.ts'), import('./sources/sotu-obama.ts')]);
      return { x: m.markovBytes(1), y: y.bytes() };
    },
  },
  {
    id: 'markov-seeds',
    title: 'Known answer: one Markov chain, two seeds',
    blurb:
      'X and Y come from the same random source (a letter repeats with probability 0.9, else one of 15 others follows) with different seeds, ' +
      'so no code can beat 0.860 bits per letter on either: X only saves Y the cost of learning that rule.',
    xName: 'sticky Markov chain over 16 letters (seed 1)',
    yName: 'the same chain (seed 2)',
    load: async () => {
      const m = await import('./sources/markov.ts');
      return { x: m.markovBytes(1), y: m.markovBytes(2) };
    },
  },
];

export const DEFAULT_PAIR_ID = 'sotu';

export function findPair(id: string): BundledPair | undefined {
  return PAIRS.find((p) => p.id === id);
}
