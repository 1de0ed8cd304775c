// Captures what a command writes to stdout and stderr, for tests that call `command.run` in-process.
// Registers its own beforeEach/afterEach: call it once at the top level of a test file.
import { afterEach, beforeEach, vi } from 'vitest';

export interface CapturedOutput {
  stdout: string;
  stderr: string;
  /** Called with every stderr write: lets a test act at a given progress line. Reset after each test. */
  onStderr: ((text: string) => void) | null;
}

export function captureOutput(): CapturedOutput {
  const output: CapturedOutput = { stdout: '', stderr: '', onStderr: null };
  beforeEach(() => {
    output.stdout = '';
    output.stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      output.stderr += String(chunk);
      output.onStderr?.(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    output.onStderr = null;
    vi.restoreAllMocks();
  });
  return output;
}
