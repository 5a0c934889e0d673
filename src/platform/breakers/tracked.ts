// Every breaker set alive in the process, so one gauge can report them all (metrics/breaker-metrics.ts)
// without each service wiring its own. Kept free of imports: breaker.ts registers here.
import type { BreakerEventCounts, BreakerState } from '../breaker';

export interface BreakerView {
  breakerStates(): Record<string, BreakerState>;
  eventCounts(): Record<string, BreakerEventCounts>;
}

const sets = new Set<BreakerView>();

/** Adds a breaker set; returns its removal (call it at the set's shutdown). */
export function trackBreakers(view: BreakerView): () => void {
  sets.add(view);
  return () => void sets.delete(view);
}

/** All tracked breakers as one view (a name used by two sets in one process reports the later set). */
export const trackedBreakers: BreakerView = {
  breakerStates: () => Object.assign({}, ...[...sets].map(s => s.breakerStates())) as Record<string, BreakerState>,
  eventCounts: () => Object.assign({}, ...[...sets].map(s => s.eventCounts())) as Record<string, BreakerEventCounts>,
};
