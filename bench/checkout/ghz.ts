// Runs ghz (the Go gRPC load tool, scripts/install-ghz.sh) against a server with reflection, at a fixed
// concurrency for a fixed number of calls, and reads its JSON summary.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface GhzRun {
  /** Full method name, e.g. "hipstershop.CheckoutService.PlaceOrder". */
  readonly call: string;
  readonly address: string;
  /** One request per call, used round-robin by request number (each used once when total = length). */
  readonly requests: readonly unknown[];
  readonly total: number;
  readonly concurrency: number;
  readonly connections: number;
  /** Where the request array is written for ghz. */
  readonly dataFile: string;
  readonly timeoutSec?: number;
  /** Describe the method from this .proto (relative to importPaths) instead of server reflection. */
  readonly proto?: { readonly file: string; readonly importPaths: readonly string[] };
}

export interface GhzResult {
  readonly count: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** gRPC status name → calls ("OK": n, ...). */
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
}

interface GhzJson {
  count: number;
  rps: number;
  average: number;
  latencyDistribution: Array<{ percentage: number; latency: number }> | null;
  statusCodeDistribution: Record<string, number> | null;
  errorDistribution: Record<string, number> | null;
}

const NS_PER_MS = 1e6;

export function parseGhzJson(text: string): GhzResult {
  const j = JSON.parse(text) as GhzJson;
  const pct = (p: number) => (j.latencyDistribution?.find(d => d.percentage === p)?.latency ?? NaN) / NS_PER_MS;
  return {
    count: j.count,
    rps: j.rps,
    p50Ms: pct(50),
    p90Ms: pct(90),
    p99Ms: pct(99),
    meanMs: j.average / NS_PER_MS,
    statuses: j.statusCodeDistribution ?? {},
    errors: j.errorDistribution ?? {},
  };
}

export function runGhz(ghz: string, run: GhzRun): Promise<GhzResult> {
  writeFileSync(run.dataFile, JSON.stringify(run.requests));
  const args = [
    '--insecure',
    '--call', run.call,
    '--data-file', run.dataFile,
    '--total', String(run.total),
    '--concurrency', String(run.concurrency),
    '--connections', String(Math.min(run.connections, run.concurrency)),
    '--timeout', `${run.timeoutSec ?? 20}s`,
    '--format', 'json',
    ...(run.proto ? ['--proto', run.proto.file, '--import-paths', run.proto.importPaths.join(',')] : []),
    run.address,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(ghz, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', code => {
      // ghz exits 1 when some calls failed but still prints the summary; only a missing summary is fatal.
      try {
        resolve(parseGhzJson(out));
      } catch {
        reject(new Error(`ghz exited ${code}: ${err.trim() || out.trim().slice(0, 500)}`));
      }
    });
  });
}
