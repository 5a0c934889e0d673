// MySQL/MariaDB through a mysql2 pool and drizzle, plus the start-up check and migrations.
//
// Pool choices (each one is relied on elsewhere):
// - supportBigNumbers: BIGINT beyond 2^53 arrives as a string, not a rounded number; drizzle's
//   bigint({mode:'bigint'}) turns both forms into an exact BigInt. bigNumberStrings stays false so
//   COUNT(*) and other small BIGINTs in raw queries are plain numbers.
// - flags -FOUND_ROWS: affectedRows counts changed rows (insert 1 / duplicate no-op 0 / update 2),
//   which idempotent inserts use to tell "new" from "already there".
// - jsonStrings: JSON comes back as text on MySQL and MariaDB alike; src/db/columns.ts parses it.
// - timezone 'Z' plus session time_zone +00:00: JS Dates, CURRENT_TIMESTAMP(3) defaults and
//   drizzle's datetime mapping all agree on UTC. dateStrings stays off (drizzle reads datetimes as text itself).
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import { migrate as drizzleMigrate } from 'drizzle-orm/mysql2/migrator';
import { createPool, type Pool, type PoolOptions } from 'mysql2/promise';
import * as schema from '../db/schema';
import type { Config } from './config';
import type { Logger } from './logger';
import { projectPath } from './paths';
import { StartupError, withTimeout } from './startup-error';

export type Db = MySql2Database<typeof schema>;

export interface Database {
  readonly db: Db;
  readonly pool: Pool;
  close(): Promise<void>;
}

type DbConfig = Pick<Config, 'mysql' | 'lifecycle'>;

export const MIGRATIONS_FOLDER = projectPath('drizzle');

export function poolOptions(config: DbConfig): PoolOptions {
  return {
    uri: config.mysql.url,
    connectionLimit: config.mysql.poolSize,
    waitForConnections: true,
    queueLimit: 0,
    connectTimeout: config.lifecycle.startupCheckTimeoutMs,
    enableKeepAlive: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    flags: ['-FOUND_ROWS'],
    jsonStrings: true,
    timezone: 'Z',
    dateStrings: false,
    charset: 'utf8mb4',
  };
}

export function createDatabase(config: DbConfig, deps: { logger: Logger }): Database {
  const log = deps.logger.child({ component: 'mysql' });
  const pool = createPool(poolOptions(config));
  // Runs before any other command on a new connection (mysql2 queues per connection).
  pool.pool.on('connection', conn => {
    conn.query("SET time_zone = '+00:00'", err => {
      if (err) log.warn({ reason: err.message }, 'could not set session time_zone');
    });
  });
  const db = drizzle({ client: pool, schema, mode: 'default' });
  let closing: Promise<void> | undefined;
  return {
    db,
    pool,
    close: () => (closing ??= pool.end()),
  };
}

/** SELECT 1 within STARTUP_CHECK_TIMEOUT_MS, or a StartupError naming MYSQL_URL and the reason. */
export async function checkDatabase(database: Database, config: DbConfig): Promise<void> {
  const ms = config.lifecycle.startupCheckTimeoutMs;
  try {
    await withTimeout(database.pool.query('SELECT 1'), ms, () => new Error(`no answer within ${ms} ms`));
  } catch (err) {
    const reason = err instanceof Error ? err.message || String((err as { code?: string }).code) : String(err);
    throw new StartupError('MySQL', 'MYSQL_URL', config.mysql.url, reason, { cause: err });
  }
}

const MIGRATE_LOCK_WAIT_S = 60;

/**
 * Applies pending drizzle migrations from drizzle/ (DDL commits implicitly: keep migrations small).
 * A named lock per database serialises replicas that start together; drizzle's migrator has none.
 */
export async function migrate(database: Database, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  const conn = await database.pool.getConnection();
  try {
    const [rows] = await conn.query('SELECT GET_LOCK(CONCAT(\'migrate:\', DATABASE()), ?) AS got', [MIGRATE_LOCK_WAIT_S]);
    if ((rows as Array<{ got: number | null }>)[0]?.got !== 1) {
      throw new Error(`migrations: another process held the migration lock for ${MIGRATE_LOCK_WAIT_S} s`);
    }
    try {
      await drizzleMigrate(database.db, { migrationsFolder });
    } finally {
      await conn.query('SELECT RELEASE_LOCK(CONCAT(\'migrate:\', DATABASE()))');
    }
  } finally {
    conn.release();
  }
}

/** create → check → migrate (when MYSQL_MIGRATE_ON_START); closes the pool if any step fails. */
export async function openDatabase(config: DbConfig, deps: { logger: Logger }): Promise<Database> {
  const database = createDatabase(config, deps);
  try {
    await checkDatabase(database, config);
    if (config.mysql.migrateOnStart) {
      await migrate(database);
      deps.logger.info('database migrations applied');
    }
    return database;
  } catch (err) {
    await database.close().catch(() => undefined);
    throw err;
  }
}
