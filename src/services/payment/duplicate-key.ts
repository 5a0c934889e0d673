/** True when a MySQL/MariaDB error (possibly wrapped by drizzle in `cause`) is a unique-key violation. */
export function isDuplicateKeyError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 'ER_DUP_ENTRY') return true;
  }
  return false;
}
