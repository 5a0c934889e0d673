// Errors that mean "a store (MySQL, Redis) cannot be reached right now", as opposed to a bad request or a
// bug. The gRPC boundary maps them to UNAVAILABLE (retryable, counted by breakers) instead of INTERNAL:
// the fault-injection suite saw PayOrder answer INTERNAL while MariaDB was down.
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST', // mysql2: the server closed the connection (restart, kill)
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
]);

const MAX_CAUSES = 5;

/** True when `err` or one of its causes (drizzle wraps the driver's error) says the store is unreachable. */
export function isStoreUnavailable(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < MAX_CAUSES; depth++, e = e.cause) {
    const x = e as Error & { code?: unknown; fatal?: unknown };
    if (typeof x.code === 'string' && UNREACHABLE_CODES.has(x.code)) return true;
    // mysql2 marks errors that killed the connection (e.g. "Can't add new command when connection is in closed state").
    if (x.fatal === true) return true;
    // ioredis: offline queue exhausted while reconnecting, or a command on a closed connection.
    if (x.name === 'MaxRetriesPerRequestError' || x.message === 'Connection is closed.') return true;
  }
  return false;
}
