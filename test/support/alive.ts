// Whether a process is still alive, for tests that prove a child gone: kill(pid, 0) answers for a
// zombie too, so its state in /proc (Z) counts it dead.
import { readFileSync } from 'node:fs';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    // Gone between the two calls, or no /proc: kill(0) answered, so it was alive a moment ago.
    return true;
  }
}
