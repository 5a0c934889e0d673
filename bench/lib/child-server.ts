// A server under test in its own Node process (so the load generator does not share its event loop).
// The child prints one line `BENCH_READY <json>` once it listens; stop() sends SIGTERM, waits for a
// graceful exit and kills it only after a grace period.
import { spawn, type ChildProcess } from 'node:child_process';

export const READY_PREFIX = 'BENCH_READY ';

export interface ChildServer<T> {
  readonly info: T;
  readonly pid: number;
  stop(graceMs?: number): Promise<void>;
}

/** In the child: announce readiness with whatever the parent needs (port, …). */
export function announceReady(info: unknown): void {
  process.stdout.write(`${READY_PREFIX}${JSON.stringify(info)}\n`);
}

/**
 * In the child: on the first SIGTERM run `stop` (drain in-flight calls, then close the clients they used)
 * and exit 0, or 1 after printing why it failed.
 */
export function exitOnSigterm(stop: () => Promise<unknown>): void {
  let stopping = false;
  process.on('SIGTERM', () => {
    if (stopping) return;
    stopping = true;
    void Promise.resolve()
      .then(stop)
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`bench server stop failed: ${String(err)}\n`);
          process.exit(1);
        },
      );
  });
}

export function startChildServer<T>(opts: {
  /** A .ts file, run with tsx. */
  readonly entry: string;
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. ['--cpu-prof'] to profile the server under load. */
  readonly nodeArgs?: readonly string[];
  readonly startTimeoutMs?: number;
}): Promise<ChildServer<T>> {
  const child: ChildProcess = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', opts.entry, ...(opts.args ?? [])], {
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });

  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${opts.entry} did not get ready within ${opts.startTimeoutMs ?? 60_000} ms\n${stderr}`));
    }, opts.startTimeoutMs ?? 60_000);
    child.once('exit', code => {
      clearTimeout(timer);
      reject(new Error(`${opts.entry} exited (${code}) before it was ready\n${stderr}`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.startsWith(READY_PREFIX)) continue;
        clearTimeout(timer);
        const info = JSON.parse(line.slice(READY_PREFIX.length)) as T;
        resolve({
          info,
          pid: child.pid ?? -1,
          async stop(graceMs = 10_000) {
            if (child.exitCode !== null || child.signalCode !== null) return;
            child.kill('SIGTERM');
            const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
            await exited;
            clearTimeout(killer);
          },
        });
      }
    });
  });
}
