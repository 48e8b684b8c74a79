import { readFileSync } from 'node:fs';

/** Linux reports process times in clock ticks; 100 per second on every kernel this runs on. */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) a process has used so far, in ms, from /proc: the benchmark's own
 * meter for processes it did not start in-process (pool workers, DynamoDB Local's JVM).
 * NaN where /proc is not there or the process has ended, so a figure is missing, never wrong.
 */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

export function totalCpuMs(pids: readonly number[]): number {
  return pids.reduce((total, pid) => total + processCpuMs(pid), 0);
}
