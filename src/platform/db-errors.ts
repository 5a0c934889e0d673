// Which MySQL failures say something about the DATA of an entry (the same rows will fail again) and which
// say the database is unhappy (down, locked, overloaded, misconfigured, grants revoked). Only the first
// kind may ever count towards dead-lettering; anything unrecognised is treated as transient, because
// retrying a good entry costs a delay while dead-lettering it would lose a change (a stock write, an order).

/** MySQL/MariaDB error numbers caused by row contents. */
const DATA_ERRNOS: ReadonlySet<number> = new Set([
  1048, // ER_BAD_NULL_ERROR
  1263, // ER_WARN_NULL_TO_NOTNULL
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1292, // ER_TRUNCATED_WRONG_VALUE
  1300, // ER_INVALID_CHARACTER_STRING
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  1406, // ER_DATA_TOO_LONG
  1452, // ER_NO_REFERENCED_ROW_2
  1690, // ER_DATA_OUT_OF_RANGE (e.g. an unsigned column driven below zero)
  3819, // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
  4025, // ER_CONSTRAINT_FAILED (MariaDB)
]);

export type DbErrorKind = 'data' | 'transient';

interface SqlErrorLike {
  readonly errno?: unknown;
  readonly code?: unknown;
  readonly sqlMessage?: unknown;
  readonly cause?: unknown;
}

/** drizzle wraps driver errors (DrizzleQueryError.cause); walk down to the one with an errno. */
export function sqlError(err: unknown): SqlErrorLike | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== null && typeof e === 'object'; depth++) {
    const s = e as SqlErrorLike;
    if (typeof s.errno === 'number' || typeof s.code === 'string') return s;
    e = s.cause;
  }
  return undefined;
}

export function classifyDbError(err: unknown): DbErrorKind {
  const s = sqlError(err);
  return s && typeof s.errno === 'number' && DATA_ERRNOS.has(s.errno) ? 'data' : 'transient';
}

/** A short reason for logs and dead entries: the driver's code and message, never the SQL text. */
export function dbErrorReason(err: unknown): string {
  const s = sqlError(err);
  if (s) {
    const code = typeof s.code === 'string' ? s.code : `errno ${String(s.errno)}`;
    const msg = typeof s.sqlMessage === 'string' ? s.sqlMessage : err instanceof Error ? err.message : '';
    return `${code}: ${msg}`.slice(0, 500);
  }
  return (err instanceof Error ? err.message : String(err)).slice(0, 500);
}
