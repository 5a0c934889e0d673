// Process-level shutdown: closers run phase by phase (stop accepting → drain workers → close clients),
// once, with an overall time limit; SIGTERM/SIGINT trigger it and a second signal exits at once.
import type { Logger } from './logger';

export const SHUTDOWN_PHASES = ['stop-accepting', 'drain', 'close'] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

export type Closer = () => Promise<void> | void;

export interface ShutdownResult {
  readonly reason: string;
  /** Closers that threw, by name. */
  readonly failed: readonly string[];
  /** True when the time limit hit before every closer finished. */
  readonly timedOut: boolean;
}

export interface SignalSource {
  on(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  removeListener(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

export interface ShutdownOptions {
  readonly logger: Logger;
  /** Overall limit for all phases (SHUTDOWN_GRACE_MS plus a margin for closing clients). */
  readonly timeoutMs: number;
  /** Called after a signal-triggered shutdown; defaults to process.exit. */
  readonly exit?: (code: number) => void;
}

export interface Shutdown {
  /** Adds a closer to a phase. Closers of one phase run concurrently; phases run in order. */
  register(name: string, phase: ShutdownPhase, closer: Closer): void;
  /** Runs every closer once; later calls return the same promise. */
  run(reason: string): Promise<ShutdownResult>;
  /** SIGTERM/SIGINT → run → exit(0, or 1 on failure/timeout). Returns an uninstaller. */
  installSignalHandlers(source?: SignalSource): () => void;
  readonly started: boolean;
}

interface Entry {
  readonly name: string;
  readonly phase: ShutdownPhase;
  readonly closer: Closer;
}

export function createShutdown(options: ShutdownOptions): Shutdown {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const entries: Entry[] = [];
  let running: Promise<ShutdownResult> | undefined;

  async function runPhases(reason: string, failed: string[]): Promise<void> {
    for (const phase of SHUTDOWN_PHASES) {
      const batch = entries.filter(e => e.phase === phase);
      if (batch.length === 0) continue;
      logger.info({ phase, closers: batch.map(e => e.name) }, 'shutdown phase');
      await Promise.all(
        batch.map(async e => {
          try {
            await e.closer();
          } catch (err) {
            failed.push(e.name);
            logger.error({ err, closer: e.name, reason }, 'closer failed');
          }
        }),
      );
    }
  }

  async function execute(reason: string): Promise<ShutdownResult> {
    logger.info({ reason }, 'shutting down');
    const failed: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      runPhases(reason, failed).then(() => false),
      new Promise<boolean>(resolve => {
        timer = setTimeout(() => resolve(true), options.timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) logger.error({ timeoutMs: options.timeoutMs }, 'shutdown timed out');
    else logger.info({ failed }, 'shutdown complete');
    return { reason, failed, timedOut };
  }

  const api: Shutdown = {
    register(name, phase, closer) {
      if (running) throw new Error(`shutdown already started; cannot register ${name}`);
      entries.push({ name, phase, closer });
    },
    run(reason) {
      running ??= execute(reason);
      return running;
    },
    installSignalHandlers(source: SignalSource = process) {
      const handler = (signal: 'SIGTERM' | 'SIGINT') => () => {
        if (running) {
          logger.warn({ signal }, 'second signal during shutdown; exiting now');
          exit(1);
          return;
        }
        void api.run(signal).then(r => exit(r.timedOut || r.failed.length > 0 ? 1 : 0));
      };
      const onTerm = handler('SIGTERM');
      const onInt = handler('SIGINT');
      source.on('SIGTERM', onTerm);
      source.on('SIGINT', onInt);
      return () => {
        source.removeListener('SIGTERM', onTerm);
        source.removeListener('SIGINT', onInt);
      };
    },
    get started() {
      return running !== undefined;
    },
  };
  return api;
}
