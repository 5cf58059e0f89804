// gzip's size for a text, through the standard CompressionStream (browsers, workers and Node ≥ 18):
// the everyday compressor a learned code is compared against.

export async function gzipSize(data: Uint8Array): Promise<number> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  const reader = stream.getReader();
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return n;
    n += value.length;
  }
}

/**
 * gzip's size (bytes, header and trailer included) of each prefix data[0, offset), for a code-length-vs-bytes
 * chart. Each prefix is compressed on its own, as `gzip < prefix` would; a few run at once (Node spreads them
 * over zlib's thread pool). CompressionStream takes no level: this is zlib's default level (6), not -9.
 */
export async function gzipPrefixSizes(data: Uint8Array, offsets: readonly number[], concurrency = 4): Promise<number[]> {
  for (const o of offsets)
    if (!(Number.isInteger(o) && o >= 0 && o <= data.length)) throw new Error(`offset ${o} is not an integer in 0…${data.length}`);
  const sizes = new Array<number>(offsets.length);
  let next = 0;
  const worker = async () => {
    while (next < offsets.length) {
      const i = next++;
      sizes[i] = await gzipSize(data.subarray(0, offsets[i]));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, offsets.length)) }, worker));
  return sizes;
}
