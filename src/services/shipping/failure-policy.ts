import type { RandomInt } from './random';

/**
 * Decides whether a ShipOrder call fails on purpose, so tests (and demos) can exercise the order
 * service's retry / SHIP_FAILED paths. Rate 0 (the default) never fails; 1 always fails.
 */
export interface ShippingFailurePolicy {
  shouldFail(): boolean;
  /** Current failure probability in [0, 1]. */
  rate(): number;
  /** Admin toggle: change the probability at runtime (e.g. 1 = "carrier down", 0 = back up). */
  setRate(rate: number): void;
}

const RESOLUTION = 1_000_000;

export function createFailurePolicy(initialRate: number, random: RandomInt): ShippingFailurePolicy {
  let current = checkRate(initialRate);
  return {
    shouldFail: () => current > 0 && (current >= 1 || random(RESOLUTION) < current * RESOLUTION),
    rate: () => current,
    setRate(rate) {
      current = checkRate(rate);
    },
  };
}

function checkRate(rate: number): number {
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new RangeError(`failure rate must be within [0, 1], got ${rate}`);
  return rate;
}
