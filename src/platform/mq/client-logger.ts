import { format } from 'node:util';
import type { MqLogger } from './types';

/** The interface rocketmq-client-nodejs calls (printf-style arguments). `debug` is mandatory: Transaction.commit calls it unguarded. */
export interface RocketmqClientLogger {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

export interface ClientLoggerOptions {
  /** Same warn/error template logged at most once per window; the next one carries the suppressed count. */
  readonly repeatWindowMs?: number;
  readonly now?: () => number;
}

/**
 * Maps the client's printf-style logging onto pino. The client's `info` is per-heartbeat chatter, so it goes to
 * debug. While the broker is down the client logs the same error on every call; identical templates are
 * rate-limited so a long outage costs one line per window, not one per retry.
 */
export function createClientLogger(logger: MqLogger, options: ClientLoggerOptions = {}): RocketmqClientLogger {
  const windowMs = options.repeatWindowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const lastLogged = new Map<string, { at: number; suppressed: number }>();

  const render = (args: unknown[]): { fields: Record<string, unknown>; msg: string } => {
    const [first, ...rest] = args;
    if (first instanceof Error) {
      return { fields: { component: 'rocketmq-client', err: first }, msg: rest.length ? format(...rest) : first.message };
    }
    return { fields: { component: 'rocketmq-client' }, msg: format(...args) };
  };

  const limited = (level: 'warn' | 'error') => (...args: unknown[]): void => {
    const key = `${level}:${typeof args[0] === 'string' ? args[0] : String(args[0])}`;
    const t = now();
    const seen = lastLogged.get(key);
    if (seen && t - seen.at < windowMs) {
      seen.suppressed += 1;
      return;
    }
    const { fields, msg } = render(args);
    if (seen && seen.suppressed > 0) fields.suppressedRepeats = seen.suppressed;
    lastLogged.set(key, { at: t, suppressed: 0 });
    if (lastLogged.size > 500) lastLogged.clear(); // templates are a small fixed set; this only guards odd callers
    logger[level](fields, msg);
  };

  const plain = (...args: unknown[]): void => {
    const { fields, msg } = render(args);
    logger.debug(fields, msg);
  };

  return { info: plain, debug: plain, warn: limited('warn'), error: limited('error') };
}
