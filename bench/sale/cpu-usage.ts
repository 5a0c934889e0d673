// CPU time of the processes taking part in a sale (Linux /proc), so the report says where the time went:
// the load generator and its checkout (client side) or the services and stores (server side).
import { existsSync, readFileSync } from 'node:fs';

export interface NamedProcess {
  readonly name: string;
  readonly pid: number;
}

export interface CpuSpent {
  readonly name: string;
  /** user + system CPU seconds between the two samples. */
  readonly seconds: number;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux Node supports). */
const USER_HZ = 100;

/** user + system CPU seconds of a live process; undefined when it is gone or not readable. */
export function cpuSecondsOf(pid: number, read: (path: string) => string = p => readFileSync(p, 'utf8')): number | undefined {
  try {
    const stat = read(`/proc/${pid}/stat`);
    // Fields after "(comm)" (which may itself hold spaces): state is field 3, utime 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return Number.isFinite(ticks) ? ticks / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}

/** The pid written in a pid file, when the file exists and names a number. */
export function pidFromFile(path: string): number | undefined {
  if (!existsSync(path)) return undefined;
  const pid = Number(readFileSync(path, 'utf8').trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

export type CpuSample = ReadonlyMap<string, number>;

export function sampleCpu(procs: readonly NamedProcess[], read?: (path: string) => string): CpuSample {
  const out = new Map<string, number>();
  for (const p of procs) {
    const s = cpuSecondsOf(p.pid, read);
    if (s !== undefined) out.set(p.name, s);
  }
  return out;
}

/** CPU spent per process between two samples (processes missing from either are left out). */
export function cpuSpent(before: CpuSample, after: CpuSample): CpuSpent[] {
  const out: CpuSpent[] = [];
  for (const [name, s] of after) {
    const b = before.get(name);
    if (b !== undefined) out.push({ name, seconds: Math.max(0, s - b) });
  }
  return out;
}
