// pino JSON logger factory. One root logger per process, child loggers per component.
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { Config } from './config';
import { REDACTED } from './redact';
import { traceLogFields } from './telemetry/log-fields';

export type Logger = PinoLogger;

/** Field paths whose values never reach a log line, at top level or one object deep. */
const SECRET_FIELDS = ['password', 'token', 'adminToken', 'authorization', 'cookie', 'card', 'creditCard', 'credit_card'];
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map(f => `*.${f}`),
  'config.admin.token',
  'metadata.authorization',
  'headers.authorization',
];

const MAX_DEPTH = 8;

/**
 * JSON has no BigInt: pino would print it as a bare number that JSON parsers round past 2^53.
 * Money is bigint here, so such values are logged as decimal strings instead. Copies only what changes.
 */
export function bigintSafe(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH || value instanceof Error) return value;
  if (seen.has(value)) return value;
  seen.add(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((v, i) => {
      const nv = bigintSafe(v, depth + 1, seen);
      if (nv !== v) (copy ??= [...value])[i] = nv;
    });
    return copy ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(value)) {
    const nv = bigintSafe(v, depth + 1, seen);
    if (nv !== v) (copy ??= { ...(value as Record<string, unknown>) })[k] = nv;
  }
  return copy ?? value;
}

export interface LoggerOptions {
  /** Where lines go (default stdout); tests pass a stream to capture them. */
  readonly destination?: DestinationStream;
  /** Overrides config.log.level (e.g. 'silent' in tests). */
  readonly level?: string;
}

/** Root logger for a process or service; `name` lands in every line as "name". */
export function createLogger(config: Pick<Config, 'log'>, name: string, options: LoggerOptions = {}): Logger {
  const opts: pino.LoggerOptions = {
    name,
    level: options.level ?? config.log.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: {
      level: label => ({ level: label }),
      log: obj => bigintSafe(obj) as Record<string, unknown>,
    },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    // trace_id / span_id of the active span (none when tracing is off).
    mixin: traceLogFields,
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
}

/** Child logger for one component (worker, repo, client); adds "component" to each line. */
export function componentLogger(parent: Logger, component: string, bindings: Record<string, unknown> = {}): Logger {
  return parent.child({ component, ...bindings });
}
