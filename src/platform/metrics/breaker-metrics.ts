// Circuit-breaker metrics of the whole process: every breaker set created by createBreakers (tracked in
// breakers/tracked.ts) feeds one circuit_breaker_state gauge and one event counter (breakers/metrics.ts).
import { registerBreakerMetrics } from '../breakers/metrics';
import { trackedBreakers } from '../breakers/tracked';
import { metricsRegistry } from './registry';

let registered = false;

export function registerProcessBreakerMetrics(): void {
  if (registered) return;
  registered = true;
  registerBreakerMetrics(metricsRegistry, trackedBreakers);
}
