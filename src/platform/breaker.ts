// Circuit breakers (opossum 9) around outgoing calls, one per dependency ("payment", "cart", ...).
// A dependency that keeps failing is cut off for a while: callers get UnavailableError at once
// instead of queueing behind a dead peer, and the peer gets room to recover.
//
// - Every unary gRPC method of a dependency shares its breaker (grpc-client's `wrap` seam, see
//   `unaryOptions`), and the gRPC deadline is capped below the breaker timeout, so the peer sees a
//   cancellation before opossum gives up on the call.
// - Caller faults (INVALID_ARGUMENT, NOT_FOUND, ...) are answers, not failures: they never trip it.
// - State and event counts are readable for metrics (breakers/metrics.ts exports them to Prometheus).
import CircuitBreaker from 'opossum';
import { status } from '@grpc/grpc-js';
import type { Config } from './config';
import { AppError, DeadlineExceededError, InternalError, ResourceExhaustedError, UnavailableError } from './errors';
import type { UnaryFn, UnaryOptions, UnaryWrap } from './grpc-client';
import { trackBreakers } from './breakers/tracked';
import { isServiceError } from './grpc-status';
import type { Logger } from './logger';

export interface BreakerSettings {
  /** opossum gives up on a call after this long (counted as a failure). */
  readonly timeoutMs: number;
  /** Failure percentage in the rolling window above which the breaker opens. */
  readonly errorThresholdPercentage: number;
  /** Open → half-open after this long; the next call is the trial. */
  readonly resetTimeoutMs: number;
  /** Calls in the window before the breaker may open at all. */
  readonly volumeThreshold: number;
  /** Statistics window. */
  readonly rollingWindowMs: number;
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';

export const BREAKER_EVENTS = ['fire', 'success', 'failure', 'reject', 'timeout', 'open', 'halfOpen', 'close', 'semaphoreLocked'] as const;
export type BreakerEvent = (typeof BREAKER_EVENTS)[number];
export type BreakerEventCounts = Record<BreakerEvent, number>;

/** The dependency's breaker is open: the call was not attempted. */
export class BreakerOpenError extends UnavailableError {
  constructor(readonly dependency: string) {
    super(`${dependency} unavailable`);
  }
}

/** The call outlived the breaker timeout (its outcome is unknown to us). */
export class BreakerTimeoutError extends UnavailableError {
  constructor(readonly dependency: string, timeoutMs: number) {
    super(`${dependency} unavailable (no answer within ${timeoutMs} ms)`);
  }
}

/** A gRPC call to the dependency failed in transit (UNAVAILABLE, DEADLINE_EXCEEDED); the cause keeps the status. */
export class DependencyUnavailableError extends UnavailableError {
  constructor(readonly dependency: string, options?: ErrorOptions) {
    super(`${dependency} unavailable`, options);
  }
}

const TRANSPORT_FAILURE = new Set<number>([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

/**
 * Codes that mean "the peer answered, the request was wrong": they count as successes. CANCELLED is
 * our own caller giving up. 400 is what upstream's Node payment service sends for a declined card.
 */
const NOT_A_FAILURE = new Set<number>([
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.ALREADY_EXISTS,
  status.FAILED_PRECONDITION,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.OUT_OF_RANGE,
  status.CANCELLED,
  400,
]);

/** True when an error says nothing bad about the dependency's health. */
export function isCallerFault(err: unknown): boolean {
  if (isServiceError(err)) return NOT_A_FAILURE.has(err.code);
  if (err instanceof Error && err.name === 'AbortError') return true;
  // Typed errors thrown by a wrapped non-gRPC operation: only infrastructure trouble counts.
  const trouble = [UnavailableError, InternalError, DeadlineExceededError, ResourceExhaustedError].some(cls => err instanceof cls);
  return err instanceof AppError && !trouble;
}

export interface Breakers {
  /** `unary(client, method, breakers.unaryOptions('payment', deadlineMs))`: breaker + capped deadline. */
  unaryOptions(dependency: string, defaultDeadlineMs: number): UnaryOptions;
  /** The grpc-client wrap of a dependency (prefer unaryOptions, which also caps the default deadline). */
  wrap(dependency: string): UnaryWrap;
  /** Runs any async operation through the dependency's breaker. */
  run<T>(dependency: string, op: () => Promise<T>): Promise<T>;
  /** True while calls to the dependency are rejected without being tried (open, not yet half-open). */
  isOpen(dependency: string): boolean;
  /** name → state, for every breaker created so far. */
  breakerStates(): Record<string, BreakerState>;
  /** name → event → count since start. */
  eventCounts(): Record<string, BreakerEventCounts>;
  /** The longest deadline an outgoing call may have (below the breaker timeout). */
  readonly maxDeadlineMs: number;
  /** Stops every breaker's timers. */
  shutdown(): void;
}

export interface BreakerDeps {
  readonly settings: BreakerSettings;
  readonly logger: Logger;
}

export function breakerSettings(config: Pick<Config, 'breaker'>): BreakerSettings {
  return { ...config.breaker };
}

/** The gRPC deadline leaves this much of the breaker timeout for the cancellation to arrive. */
function maxDeadline(timeoutMs: number): number {
  return Math.max(1, timeoutMs - Math.min(250, Math.floor(timeoutMs / 10)));
}

type Thunk = () => Promise<unknown>;

function stateOf(b: CircuitBreaker<[Thunk], unknown>): BreakerState {
  if (b.opened) return 'open';
  if (b.halfOpen) return 'halfOpen';
  return 'closed';
}

function zeroCounts(): BreakerEventCounts {
  return Object.fromEntries(BREAKER_EVENTS.map(e => [e, 0])) as BreakerEventCounts;
}

export function createBreakers({ settings, logger }: BreakerDeps): Breakers {
  const breakers = new Map<string, CircuitBreaker<[Thunk], unknown>>();
  const counts = new Map<string, BreakerEventCounts>();
  const deadlineCap = maxDeadline(settings.timeoutMs);

  function breaker(name: string): CircuitBreaker<[Thunk], unknown> {
    const existing = breakers.get(name);
    if (existing) return existing;
    const b = new CircuitBreaker<[Thunk], unknown>(op => op(), {
      name,
      timeout: settings.timeoutMs,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      resetTimeout: settings.resetTimeoutMs,
      volumeThreshold: settings.volumeThreshold,
      rollingCountTimeout: settings.rollingWindowMs,
      rollingCountBuckets: 10,
      errorFilter: isCallerFault,
    });
    const tally = zeroCounts();
    counts.set(name, tally);
    for (const event of BREAKER_EVENTS) b.on(event as 'fire', () => void tally[event]++);
    const log = logger.child({ breaker: name });
    b.on('open', () => log.warn({ resetTimeoutMs: settings.resetTimeoutMs }, 'circuit breaker opened: failing fast'));
    b.on('halfOpen', () => log.info('circuit breaker half-open: next call is a trial'));
    b.on('close', () => log.info('circuit breaker closed'));
    breakers.set(name, b);
    return b;
  }

  async function run<T>(name: string, op: () => Promise<T>): Promise<T> {
    try {
      return (await breaker(name).fire(op)) as T;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (err instanceof Error && CircuitBreaker.isOurError(err)) {
        if (code === 'ETIMEDOUT') throw new BreakerTimeoutError(name, settings.timeoutMs);
        throw new BreakerOpenError(name); // EOPENBREAKER, ESEMLOCKED, ESHUTDOWN
      }
      throw err;
    }
  }

  function wrap(name: string): UnaryWrap {
    return <Req, Res>(fn: UnaryFn<Req, Res>): UnaryFn<Req, Res> =>
      (req, opts = {}) => {
        const capped = opts.deadlineMs === undefined ? opts : { ...opts, deadlineMs: Math.min(opts.deadlineMs, deadlineCap) };
        return run(name, () => fn(req, capped)).catch((err: unknown) => {
          if (isServiceError(err) && TRANSPORT_FAILURE.has(err.code)) throw new DependencyUnavailableError(name, { cause: err });
          throw err;
        });
      };
  }

  const breakerStates = (): Record<string, BreakerState> => Object.fromEntries([...breakers].map(([name, b]) => [name, stateOf(b)]));
  const eventCounts = (): Record<string, BreakerEventCounts> => Object.fromEntries([...counts].map(([name, c]) => [name, { ...c }]));
  // The process's circuit_breaker_state gauge reads every live set (metrics/breaker-metrics.ts).
  const untrack = trackBreakers({ breakerStates, eventCounts });

  return {
    maxDeadlineMs: deadlineCap,
    unaryOptions: (name, defaultDeadlineMs) => ({ defaultDeadlineMs: Math.min(defaultDeadlineMs, deadlineCap), wrap: wrap(name) }),
    wrap,
    run,
    isOpen: name => {
      const b = breakers.get(name);
      return b !== undefined && !b.closed && !b.pendingClose;
    },
    breakerStates,
    eventCounts,
    shutdown() {
      untrack();
      for (const b of breakers.values()) b.shutdown();
    },
  };
}
