// CPU time of this process, as one small snapshot type shared by the load client (client CPU share)
// and the echo server's control channel (server CPU per request). A snapshot is cumulative since
// the process started; a measurement is always the difference of two.

export interface CpuSnapshot {
  /** Microseconds of user CPU time since the process started. */
  readonly userUs: number;
  /** Microseconds of system CPU time since the process started. */
  readonly systemUs: number;
}

export interface CpuSpent extends CpuSnapshot {
  /** (user + system) / wall time: 1 means one core busy for the whole window. */
  readonly share: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const { user, system } = process.cpuUsage();
  return { userUs: user, systemUs: system };
}

/** CPU spent between two snapshots, and its share of a window of `wallMs` milliseconds. */
export function cpuSpent(start: CpuSnapshot, end: CpuSnapshot, wallMs: number): CpuSpent {
  const userUs = end.userUs - start.userUs;
  const systemUs = end.systemUs - start.systemUs;
  return { userUs, systemUs, share: wallMs > 0 ? (userUs + systemUs) / (wallMs * 1000) : 0 };
}
