// What both command-line tools share: the `kxy: …` error line and its exit codes, reading an input file,
// `--set KEY=VALUE`, a progress bar, and running main() so a UserError is one line and exit status 2.
import { readFileSync } from 'node:fs';
import { DEFAULTS, UserError, type RunConfig } from '../lib/config.ts';

export function fail(message: string, code = 2): never {
  process.stderr.write(`kxy: ${message}\n`);
  process.exit(code);
}

/** A file named by a flag, with the reason it could not be read in words. */
export function readInput(flag: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UserError(`cannot read ${flag} '${path}': ${why}`);
  }
}

/** `--set KEY=VALUE` items: config keys only, numbers where the default is a number. */
export function parseSet(items: string[]): Partial<RunConfig> {
  const out: Record<string, unknown> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = item.slice(0, eq);
    const raw = item.slice(eq + 1);
    if (eq < 0 || !(key in DEFAULTS)) throw new UserError(`--set needs KEY=VALUE with a config key (${Object.keys(DEFAULTS).join(', ')}); got '${item}'`);
    if (typeof DEFAULTS[key as keyof RunConfig] === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new UserError(`--set ${key} needs a number, not '${raw}'`);
      out[key] = n;
    } else out[key] = raw;
  }
  return out as Partial<RunConfig>;
}

export function bar(frac: number, width = 20): string {
  const full = Math.round(Math.max(0, Math.min(1, frac)) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/** Runs a tool's main(): exits when it is done (Dawn keeps the process alive otherwise); a UserError is one
 *  line and status 2, anything else an internal error with status 1. */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (e) => {
      if (e instanceof UserError) fail(e.message);
      fail(`internal error: ${(e as Error).message}${process.env.KXY_DEBUG ? `\n${(e as Error).stack}` : ' (set KXY_DEBUG=1 for the stack)'}`, 1);
    },
  );
}
