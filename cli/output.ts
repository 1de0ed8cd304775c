// Where the commands write: every `--out` is checked before any work starts (a usage error naming
// the flag, exit 2), and whatever is half-written when SIGINT or SIGTERM arrives is removed before
// the process exits 130 or 143, so an interrupted command leaves the old output or none, never half.
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { UsageError } from './args.js';

/** `--out DIR`: an existing folder, or one that can be created now. Returns the folder. */
export function checkOutDir(command: string, flag: string, dir: string): string {
  const existing = statOrUndefined(dir);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new UsageError(`rosetta ${command}: --${flag} ${JSON.stringify(dir)} is a file; expected a folder (existing or new)`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`rosetta ${command}: --${flag} ${JSON.stringify(dir)} cannot be created as a folder (${codeOf(error)})`);
  }
  return dir;
}

/** `--out FILE`: not a folder, in a folder that exists or can be created now. Returns the file. */
export function checkOutFile(command: string, flag: string, file: string, parent: string): string {
  if (statOrUndefined(file)?.isDirectory() === true) {
    throw new UsageError(`rosetta ${command}: --${flag} ${JSON.stringify(file)} is a folder; expected a file name`);
  }
  checkOutDir(command, flag, parent);
  return file;
}

/**
 * Until the returned function is called, SIGINT or SIGTERM removes `paths` (files or folders) and
 * exits 130 or 143. Without it an interrupt would leave temp files and half a report behind.
 */
export function removeOnInterrupt(paths: () => readonly string[]): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    for (const path of paths()) rmSync(path, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : String(error);
}
