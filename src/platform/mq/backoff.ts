export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** 0..1: the delay is drawn from [d * (1 - jitter), d]. */
  readonly jitter: number;
}

export const defaultReceiveBackoff: BackoffPolicy = Object.freeze({ initialMs: 200, maxMs: 30_000, jitter: 0.2 });

/** Capped exponential backoff for the `failures`-th consecutive failure (1-based). */
export function backoffDelay(policy: BackoffPolicy, failures: number, random: () => number = Math.random): number {
  const exp = Math.min(Math.max(failures - 1, 0), 30);
  const capped = Math.min(policy.maxMs, policy.initialMs * 2 ** exp);
  return Math.round(capped * (1 - policy.jitter * random()));
}
