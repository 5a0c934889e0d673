// Admission control for one gRPC server: refuse work up front, in microseconds, instead of letting it
// queue without bound behind a saturated event loop or a slow dependency.
//  - in-flight cap: a unary call beyond `maxInFlight` concurrent ones → RESOURCE_EXHAUSTED (retry with
//    backoff); bounds the memory held by waiting handlers and the latency of the admitted ones.
//  - stream cap: server streams (WatchOrder) beyond `maxStreams` → RESOURCE_EXHAUSTED.
//  - event-loop delay: while the process's event loop lags more than `maxLoopDelayMs` (p99 over the last
//    probe window), new unary calls → UNAVAILABLE; the admitted ones finish sooner and the lag recovers.
// Limits are per server (per service port); the loop-delay signal is per process.
import { ResourceExhaustedError, UnavailableError } from './errors';
import type { LoopDelayProbe } from './loop-delay-probe';
import { recordShed } from './metrics/shed-metrics';

export type CallKind = 'unary' | 'stream';
export type ShedReason = 'in_flight' | 'streams' | 'event_loop';

export interface LoadShedderOptions {
  /** Concurrent unary calls admitted; 0 = no cap. */
  readonly maxInFlight: number;
  /** Concurrent server streams admitted; 0 = no cap. */
  readonly maxStreams: number;
  /** Event-loop lag (ms) above which unary calls are refused; 0 or no probe = off. */
  readonly maxLoopDelayMs: number;
  readonly loopDelay?: LoopDelayProbe;
}

export type Admission =
  | { readonly admitted: true; release(): void }
  | { readonly admitted: false; readonly reason: ShedReason; readonly error: Error };

export interface LoadShedder {
  admit(kind: CallKind, method: string): Admission;
  /** Calls currently admitted, by kind (for tests and gauges). */
  inFlight(kind: CallKind): number;
}

const NOOP_RELEASE = { admitted: true, release() {} } as const;

export function createLoadShedder(options: LoadShedderOptions): LoadShedder {
  const active: Record<CallKind, number> = { unary: 0, stream: 0 };
  const caps: Record<CallKind, number> = { unary: options.maxInFlight, stream: options.maxStreams };
  const probe = options.maxLoopDelayMs > 0 ? options.loopDelay : undefined;

  function refuse(method: string, reason: ShedReason): Admission {
    recordShed(method, reason);
    const error =
      reason === 'event_loop'
        ? new UnavailableError('server overloaded; retry with backoff')
        : new ResourceExhaustedError(reason === 'streams' ? 'too many open streams; retry later' : 'server busy; retry with backoff');
    return { admitted: false, reason, error };
  }

  return {
    admit(kind, method) {
      const cap = caps[kind];
      if (cap > 0 && active[kind] >= cap) return refuse(method, kind === 'unary' ? 'in_flight' : 'streams');
      if (kind === 'unary' && probe && probe.delayMs() > options.maxLoopDelayMs) return refuse(method, 'event_loop');
      if (cap <= 0) return NOOP_RELEASE;
      active[kind] += 1;
      let released = false;
      return {
        admitted: true,
        release() {
          if (released) return;
          released = true;
          active[kind] -= 1;
        },
      };
    },
    inFlight: kind => active[kind],
  };
}
