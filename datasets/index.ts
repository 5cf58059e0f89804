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

const sotuYName = 'Obama, State of the Union 2009–2014';

export const PAIRS: BundledPair[] = [
  {
    id: 'sotu',
    title: 'English → English: Bush, then Obama',
    blurb:
      "X is George W. Bush's eight State of the Union addresses and Y six of Barack Obama's: the same language but different " +
      'text, so a model that has already learnt English spelling and words from X should code Y clearly shorter (roughly 10–25%).',
    xName: 'G. W. Bush, State of the Union 2001–2008',
    yName: sotuYName,
    load: async () => {
      const [x, y] = await Promise.all([import('./sources/sotu-bush.ts'), import('./sources/sotu-obama.ts')]);
      return { x: x.bytes(), y: y.bytes() };
    },
  },
  {
    id: 'sotu-1790s',
    title: "18th-century English → today's: the 1790s, then Obama",
    blurb:
      'X is the first seventeen annual messages (Washington, Adams and Jefferson, 1790–1806) and Y the same Obama addresses: English ' +
      "two centuries apart, yet expect nearly the first pair's saving, because spelling and common words, what a small model learns first, barely changed.",
    xName: 'Washington, Adams, Jefferson, annual messages 1790–1806',
    yName: sotuYName,
    load: async () => {
      const [x, y] = await Promise.all([import('./sources/sotu-1790s.ts'), import('./sources/sotu-obama.ts')]);
      return { x: x.bytes(), y: y.bytes() };
    },
  },
  {
    id: 'sotu-large',
    title: 'Large: 219 years of addresses, then Obama',
    blurb:
      'X is every State of the Union address and annual message from 1790 to 2008 (about 10 MB) and Y the same Obama addresses. ' +
      'Big enough for the learner to overtake gzip on X as it goes (see the crossover chart); it takes hours on a CPU, minutes on a real GPU.',
    xName: 'every address 1790–2008',
    yName: sotuYName,
    load: async () => {
      const [x, y] = await Promise.all([import('./sources/sotu-all.ts'), import('./sources/sotu-obama.ts')]);
      return { x: x.bytes(), y: y.bytes() };
    },
  },
  {
    id: 'letters-english',
    title: 'Only the alphabet in common: random letters, then English',
    blurb:
      'X is a machine-made stream of the letters a to p that tend to repeat, and Y the same Obama addresses: X has no words or ' +
      "grammar, but it does use English's most common letters, so expect some saving, clearly less than the first pair's.",
    xName: 'sticky Markov chain over the letters a–p (seed 1)',
    yName: sotuYName,
    load: async () => {
      const [m, y] = await Promise.all([import('./sources/markov.ts'), import('./sources/sotu-obama.ts')]);
      return { x: m.markovBytes(1, 236_000), y: y.bytes() }; // X about as long as the English X's
    },
  },
  {
    id: 'noise-english',
    title: 'Nothing in common (the control): random Chinese characters, then English',
    blurb:
      'X is pure noise, Chinese characters drawn at random that share not one byte value with the Obama addresses in Y, so it knows nothing ' +
      'about English. Learning it first costs Y bits (about 16% at nano), and the shuffled control costs about as much: the transfer is near zero.',
    xName: 'random Chinese characters (seed 1)',
    yName: sotuYName,
    load: async () => {
      const [n, y] = await Promise.all([import('./sources/noise.ts'), import('./sources/sotu-obama.ts')]);
      return { x: n.noiseBytes(1), y: y.bytes() };
    },
  },
  {
    id: 'markov-seeds',
    title: 'Known answer: one Markov chain, two seeds',
    blurb:
      'X and Y come from one random source, letters a to p where each repeats the last with probability 0.9 (else one of the other 15 follows), ' +
      'with different seeds: no code can beat 0.860 bits per letter on either, and X only saves Y the cost of learning that rule.',
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
