// The process's event-loop lag, as the load shedder sees it: p99 of the delay histogram over the last
// window. One probe per process (every server shares the loop); the timer is unref'd.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface LoopDelayProbe {
  /** p99 event-loop delay (ms) of the last completed window. */
  delayMs(): number;
}

let shared: LoopDelayProbe | undefined;

/** The process-wide probe, started on first use. */
export function processLoopDelay(windowMs = 500): LoopDelayProbe {
  if (shared) return shared;
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let last = 0;
  const timer = setInterval(() => {
    last = histogram.count > 0 ? histogram.percentile(99) / 1e6 : 0;
    histogram.reset();
  }, windowMs);
  timer.unref();
  shared = { delayMs: () => last };
  return shared;
}
