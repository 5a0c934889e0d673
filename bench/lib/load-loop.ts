// Closed-loop load: `concurrency` workers each run op(i) back to back until a fixed count was started
// or a duration elapsed (whichever limit is set first), so exactly `concurrency` calls are in flight.
// Stopping (limit reached or the signal aborted) starts no new call and waits for the in-flight ones:
// throughput = completed calls / time from start until the last one finished.
import { createHistogram, type Histogram } from './histogram';

export interface LoadOptions {
  readonly concurrency: number;
  /** Stop starting calls after this many. */
  readonly count?: number;
  /** Stop starting calls after this long. */
  readonly durationMs?: number;
  /** Aborting stops early (in-flight calls still finish). */
  readonly signal?: AbortSignal;
  /** Monotonic clock in ns; injectable for tests. */
  readonly nowNs?: () => bigint;
}

export interface LoadResult {
  /** Calls that resolved. */
  readonly ok: number;
  /** Calls that rejected (their latency is not in the histogram). */
  readonly errors: number;
  /** The first few distinct error messages, for the report. */
  readonly errorSamples: readonly string[];
  readonly elapsedMs: number;
  /** ok / elapsed seconds. */
  readonly opsPerSec: number;
  /** Latency of successful calls in microseconds. */
  readonly latencyUs: Histogram;
}

const MAX_ERROR_SAMPLES = 5;

export async function runLoad(options: LoadOptions, op: (i: number) => Promise<unknown>): Promise<LoadResult> {
  const { concurrency, count, durationMs, signal } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  if (count === undefined && durationMs === undefined) throw new RangeError('set count, durationMs or both');
  const nowNs = options.nowNs ?? process.hrtime.bigint;
  const latencyUs = createHistogram();
  const errorSamples: string[] = [];
  let next = 0;
  let ok = 0;
  let errors = 0;
  const started = nowNs();
  const deadline = durationMs === undefined ? undefined : started + BigInt(Math.round(durationMs * 1e6));

  const more = (): boolean =>
    !(signal?.aborted ?? false) && (count === undefined || next < count) && (deadline === undefined || nowNs() < deadline);

  async function worker(): Promise<void> {
    while (more()) {
      const i = next++;
      const t0 = nowNs();
      try {
        await op(i);
        latencyUs.record(Number(nowNs() - t0) / 1000);
        ok += 1;
      } catch (err) {
        errors += 1;
        const message = err instanceof Error ? err.message : String(err);
        if (errorSamples.length < MAX_ERROR_SAMPLES && !errorSamples.includes(message)) errorSamples.push(message);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = Number(nowNs() - started) / 1e6;
  return { ok, errors, errorSamples, elapsedMs, opsPerSec: elapsedMs > 0 ? ok / (elapsedMs / 1000) : 0, latencyUs };
}
