// The process's one Prometheus registry: every metric of every service this process runs, served on
// METRICS_PORT by server.ts. Metrics are module-level (like OTel's global meter) so business code can
// count where events happen without threading a registry through every factory; each metric is created
// once per process, however many times a service's parts are built (tests build them many times).
import { collectDefaultMetrics, Registry } from 'prom-client';

export const metricsRegistry = new Registry();

let defaults = false;

/** Node process metrics (CPU, heap, event-loop lag, GC); once, from main (not at import: tests need no timers). */
export function collectProcessMetrics(): void {
  if (defaults) return;
  defaults = true;
  collectDefaultMetrics({ register: metricsRegistry });
}
