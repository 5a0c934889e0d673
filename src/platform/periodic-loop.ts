// A periodic background pass with a graceful stop: the pass in flight finishes, the sleep is cut short.
// A pass that reports a full batch runs again at once, so a backlog drains without waiting intervals.
// Behind the order service's scans and pollers and productcatalog's stock part sweeper.
import type { Clock } from './clock';
import { inRootSpan } from './telemetry/spans';

export interface PeriodicPass {
  /** Returns true when there is probably more to do right away (a full batch). */
  (): Promise<boolean>;
}

export interface PeriodicLoop {
  start(): void;
  /** Lets the pass in flight finish, then resolves. Idempotent. */
  stop(): Promise<void>;
  /** Runs one pass now (tests, admin); passes never overlap. */
  runOnce(): Promise<boolean>;
  /** Cuts the current sleep short: the next pass starts now (new work was announced). */
  wake(): void;
}

/** What the loop logs through (a pino Logger fits). */
export interface PeriodicLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface PeriodicOptions {
  readonly name: string;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly logger: PeriodicLogger;
  /** Wait before the first pass (spreads replicas that start together); default 0. */
  readonly initialDelayMs?: number;
}

export function createPeriodicLoop(pass: PeriodicPass, opts: PeriodicOptions): PeriodicLoop {
  let controller: AbortController | undefined;
  let loop: Promise<void> | undefined;
  let current: Promise<boolean> = Promise.resolve(false);
  let failures = 0;
  let nap: AbortController | undefined;
  let woken = false;

  // Serialises passes: a manual runOnce waits for the loop's pass and vice versa.
  function runOnce(): Promise<boolean> {
    // Each pass is its own trace: its MySQL and Redis calls group under one root span.
    current = current.catch(() => false).then(() => inRootSpan(`${opts.name} pass`, {}, () => pass()));
    return current;
  }

  async function run(signal: AbortSignal): Promise<void> {
    if (opts.initialDelayMs) await opts.clock.sleep(opts.initialDelayMs, signal).catch(() => undefined);
    while (!signal.aborted) {
      let more = false;
      try {
        more = await runOnce();
        if (failures > 0) opts.logger.info({ loop: opts.name, failures }, 'periodic pass recovered');
        failures = 0;
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0) {
          opts.logger.warn({ loop: opts.name, failures, reason: err instanceof Error ? err.message : String(err) }, 'periodic pass failed; retrying next interval');
        }
      }
      if (more || woken || signal.aborted) {
        woken = false;
        continue;
      }
      nap = new AbortController();
      const stopNap = () => nap?.abort();
      signal.addEventListener('abort', stopNap, { once: true });
      try {
        await opts.clock.sleep(opts.intervalMs, nap.signal);
      } catch {
        // stop() or wake() cut the sleep short; the while condition tells which
      } finally {
        signal.removeEventListener('abort', stopNap);
        nap = undefined;
        woken = false;
      }
    }
  }

  return {
    start() {
      if (loop) return;
      controller = new AbortController();
      loop = run(controller.signal);
    },
    async stop() {
      controller?.abort();
      await loop;
      await current.catch(() => undefined);
      loop = undefined; // start() may run it again
      controller = undefined;
    },
    runOnce,
    wake() {
      woken = true;
      nap?.abort();
    },
  };
}
