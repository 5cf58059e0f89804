// Size limits on files a user brings, checked from File.size before a byte is read. Plain numbers, no
// imports, so the page can use them without loading TensorFlow.js.

/** The largest model file kxy imports: 64 M F32 parameters, six times the small preset. */
export const MAX_MODEL_BYTES = 256 * 1024 * 1024;
