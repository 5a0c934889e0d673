// gRPC errors as outcome names, and the retry a careful client makes when the answer may have been lost.
import { status } from '@grpc/grpc-js';

export function codeOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** "UNAVAILABLE", "RESOURCE_EXHAUSTED", … ("INTERNAL_CLIENT" for a non-gRPC failure). */
export function codeName(err: unknown): string {
  const code = codeOf(err);
  return code === undefined ? 'INTERNAL_CLIENT' : (status[code] ?? String(code));
}

/** The call may or may not have happened (or is still running): retry with the same idempotency key. */
export function isUndecided(err: unknown): boolean {
  const code = codeOf(err);
  return code === status.UNAVAILABLE || code === status.DEADLINE_EXCEEDED || code === status.ABORTED || code === status.ALREADY_EXISTS;
}

/**
 * Runs `call` and retries undecided failures (same request, same idempotency key) up to `retries` times
 * with doubling pauses; rethrows the last error.
 */
export async function withRetries<T>(call: () => Promise<T>, retries: number, firstPauseMs = 200): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= retries || !isUndecided(err)) throw err;
      await new Promise(r => setTimeout(r, firstPauseMs * 2 ** attempt));
    }
  }
}
