// A throw-away MariaDB database per test file: CREATE DATABASE shop_test_<rand>, migrate, DROP after.
import { createConnection } from 'mysql2/promise';
import type { Config } from '../../src/platform/config';
import { createDatabase, migrate, type Database, type Db } from '../../src/platform/db';
import { uniqueDbName } from './ids';
import { testConfig } from './test-config';
import { testLogger } from './test-logger';

export interface TestDatabase {
  readonly name: string;
  /** Config whose MYSQL_URL points at this database. */
  readonly config: Readonly<Config>;
  readonly database: Database;
  readonly db: Db;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(url: string, fn: (conn: Awaited<ReturnType<typeof createConnection>>) => Promise<T>): Promise<T> {
  const u = new URL(url);
  u.pathname = '/';
  const conn = await createConnection({ uri: u.toString() });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const base = testConfig();
  const name = uniqueDbName();
  await admin(base.mysql.url, c => c.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`));
  const config = testConfig({ MYSQL_URL: withDatabase(base.mysql.url, name), MYSQL_POOL_SIZE: '4' });
  const database = createDatabase(config, { logger: testLogger('db') });
  if (options.migrate !== false) await migrate(database);
  let dropped = false;
  return {
    name,
    config,
    database,
    db: database.db,
    async drop() {
      if (dropped) return;
      dropped = true;
      await database.close();
      await admin(base.mysql.url, c => c.query(`DROP DATABASE IF EXISTS \`${name}\``));
    },
  };
}

/** Mocha helper: a migrated database for the enclosing describe, dropped after it. */
export function useTestDatabase(): { readonly current: TestDatabase } {
  let current: TestDatabase | undefined;
  before(async () => {
    current = await createTestDatabase();
  });
  after(async () => {
    await current?.drop();
  });
  return {
    get current(): TestDatabase {
      if (!current) throw new Error('test database not created yet (use it inside it/before hooks)');
      return current;
    },
  };
}
