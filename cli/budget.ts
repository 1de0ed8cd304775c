// The run's one knob, time, and the precision its timed rounds aim for, as a user types them:
// `--budget 10m` (or 90s, 1h, 600), `--precision 2%` (or 0.02).
import { UsageError } from './args.js';

const UNITS: Readonly<Record<string, number>> = { '': 1_000, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds from `90s`, `10m`, `1.5h` or plain seconds; a usage error names the flag and what is accepted. */
export function parseBudget(command: string, flag: string, text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  const ms = match === null ? Number.NaN : Number(match[1]) * (UNITS[match[2] ?? ''] as number);
  if (!(ms >= 10_000 && ms <= 24 * 3_600_000)) {
    throw new UsageError(`rosetta ${command}: --${flag} got ${JSON.stringify(text)}; expected a time from 10s to 24h, such as 90s, 10m or 1.5h (plain numbers are seconds)`);
  }
  return Math.round(ms);
}

/** A relative precision from `2%` or `0.02`; a usage error names the flag and what is accepted. */
export function parsePrecision(command: string, flag: string, text: string): number {
  const trimmed = text.trim();
  const percent = trimmed.endsWith('%');
  const value = Number(percent ? trimmed.slice(0, -1) : trimmed) / (percent ? 100 : 1);
  if (!(value >= 0.001 && value <= 0.5) || trimmed === '' || trimmed === '%') {
    throw new UsageError(`rosetta ${command}: --${flag} got ${JSON.stringify(text)}; expected a relative precision from 0.1% to 50%, such as 2% or 0.02`);
  }
  return value;
}
