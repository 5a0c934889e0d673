// Shared frame of the operator CLIs (seed, stock-reconcile): config, a quiet logger, MySQL and Redis opened
// for the run and closed after it, and one-line errors for known failures (bugs keep their stack).
import { loadConfig, type Config } from '../../src/platform/config';
import { openDatabase, type Database } from '../../src/platform/db';
import { AppError } from '../../src/platform/errors';
import { createLogger, type Logger } from '../../src/platform/logger';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '../../src/platform/redis';

export interface CliClients {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly database: Database;
  readonly redis: RedisClient;
}

/** Opens MySQL and Redis for `fn` and closes both afterwards, whatever it returns or throws. */
export async function withStoreClients(name: string, fn: (clients: CliClients) => Promise<number>): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config, name, { level: config.log.level === 'info' ? 'warn' : config.log.level });
  const database = await openDatabase(config, { logger });
  const redis = createRedis(config, { logger, name });
  try {
    await connectRedis(redis, config);
    return await fn({ config, logger, database, redis });
  } finally {
    await closeRedis(redis);
    await database.close();
  }
}

/** Exits with main's code; known failures (bad flags, config, unreachable stores, refusals) print one line, exit 2. */
export function runCli(main: () => Promise<number>, isKnown: (err: unknown) => boolean = () => false): void {
  main().then(
    code => process.exit(code),
    (err: unknown) => {
      const code = (err as { code?: unknown }).code;
      const known =
        isKnown(err) ||
        err instanceof AppError ||
        (err instanceof Error && (['StartupError', 'ConfigError'].includes(err.name) || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))));
      console.error(known ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exit(2);
    },
  );
}
