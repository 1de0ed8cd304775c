// One line for a results.json that cannot be used, naming the file and what is wrong with it: the
// wording every command that reads results files prints before exiting 2.
import { ResultsError } from '../harness/schema.js';

/** One line naming the file and what is wrong with it. */
export function describeInputError(file: string, error: unknown): string {
  if (error instanceof ResultsError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return `${file}: no such file`;
  if (code === 'EISDIR') return `${file}: is a directory, expected a results.json file`;
  if (code === 'EACCES') return `${file}: permission denied`;
  return `${file}: ${error instanceof Error ? error.message : String(error)}`;
}
