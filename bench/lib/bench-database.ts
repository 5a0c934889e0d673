// Throw-away MariaDB databases for benches: created on the configured server next to `shop`, dropped
// after the run, so a bench never touches the shop's own data.
import { createConnection } from 'mysql2/promise';

/** MYSQL_URL with another database name. */
export function databaseUrl(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function onServer<T>(url: string, fn: (conn: Awaited<ReturnType<typeof createConnection>>) => Promise<T>): Promise<T> {
  const conn = await createConnection({ uri: databaseUrl(url, '') });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

const NAME_RE = /^[a-z0-9_]{1,64}$/;

export interface BenchDatabase {
  readonly name: string;
  /** MYSQL_URL pointing at this database. */
  readonly url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(serverUrl: string, name: string): Promise<BenchDatabase> {
  if (!NAME_RE.test(name)) throw new RangeError(`bench database name must match ${NAME_RE}, got "${name}"`);
  await onServer(serverUrl, c => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  let dropped = false;
  return {
    name,
    url: databaseUrl(serverUrl, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer(serverUrl, c => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
    },
  };
}

/** Server variables that decide what a commit costs, for the report. */
export async function durabilitySettings(serverUrl: string): Promise<Record<string, string>> {
  return onServer(serverUrl, async c => {
    const [rows] = await c.query(
      'SELECT @@version AS version, @@innodb_flush_log_at_trx_commit AS innodb_flush_log_at_trx_commit, @@sync_binlog AS sync_binlog, @@log_bin AS log_bin',
    );
    const row = (rows as Array<Record<string, unknown>>)[0] ?? {};
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, String(v)]));
  });
}
