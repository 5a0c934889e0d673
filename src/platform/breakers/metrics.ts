// Prometheus view of the breakers: a state gauge (0 closed, 1 half-open, 2 open) and event counters,
// read from the breakers at scrape time (opossum-prometheus has no state gauge; style.md §5).
import { Counter, Gauge, type Registry } from 'prom-client';
import { BREAKER_EVENTS, type BreakerState, type Breakers } from '../breaker';

const STATE_VALUE: Record<BreakerState, number> = { closed: 0, halfOpen: 1, open: 2 };

export function registerBreakerMetrics(registry: Registry, breakers: Pick<Breakers, 'breakerStates' | 'eventCounts'>): void {
  new Gauge({
    name: 'circuit_breaker_state',
    help: 'Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open',
    labelNames: ['name'],
    registers: [registry],
    collect() {
      for (const [name, state] of Object.entries(breakers.breakerStates())) this.set({ name }, STATE_VALUE[state]);
    },
  });
  // The breakers own the tally; at scrape time the counter catches up by the difference.
  const seen = new Map<string, number>();
  new Counter({
    name: 'circuit_breaker_events_total',
    help: `Circuit breaker events per dependency (${BREAKER_EVENTS.join(', ')})`,
    labelNames: ['name', 'event'],
    registers: [registry],
    collect() {
      for (const [name, counts] of Object.entries(breakers.eventCounts())) {
        for (const event of BREAKER_EVENTS) {
          const key = `${name}\u0000${event}`;
          const delta = counts[event] - (seen.get(key) ?? 0);
          if (delta > 0) this.inc({ name, event }, delta);
          seen.set(key, counts[event]);
        }
      }
    },
  });
}
