// A process's CPU time read from outside, without waking it: /proc/<pid>/stat's utime + stime (every
// thread), in clock ticks of 10 ms (USER_HZ is 100 on Linux). Coarse, so it is used to check that a
// window saw only its own server busy, not to measure a server.
import { readFileSync } from 'node:fs';

const MS_PER_TICK = 10;

/** User + system CPU ms of `pid` so far, or undefined where /proc does not have it (another OS, an exited process). */
export function procCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the whole line are the 12th and 13th after the name (state is the 1st).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) * MS_PER_TICK : undefined;
}
