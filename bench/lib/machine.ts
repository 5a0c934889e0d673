// What a benchmark result must carry to be read later: when, which commit, on what machine, how busy.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  /** ISO date-time (UTC) of the run. */
  readonly date: string;
  /** Short commit, with "+dirty" when the work tree has changes. */
  readonly commit: string;
  readonly nproc: number;
  readonly cpuModel: string;
  readonly memGiB: number;
  readonly node: string;
}

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function machineInfo(cwd: string, now: Date = new Date()): MachineInfo {
  const sha = git(['rev-parse', '--short', 'HEAD'], cwd) || 'unknown';
  const dirty = git(['status', '--porcelain', '--untracked-files=no'], cwd) !== '';
  return {
    date: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    commit: dirty ? `${sha}+dirty` : sha,
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** 1-minute load average, two decimals (the machine is shared: a result is only as good as its quiet). */
export function load1(): number {
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}
