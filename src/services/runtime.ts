// What every service module gets from main: config, logging, time, shutdown, and shared clients
// created on first use (one Redis connection and one MySQL pool per process, however many services run).
import type { PackageDefinition } from '@grpc/proto-loader';
import type { Config } from '../platform/config';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { Shutdown } from '../platform/shutdown';
import { connectRedis, createRedis, type RedisClient } from '../platform/redis';
import { openDatabase, type Database } from '../platform/db';
import { loadProtoDefinition, shopProtoSource } from '../platform/protos';

export interface Runtime {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly shutdown: Shutdown;
  /** proto-loader view of our protos, served by gRPC reflection. */
  readonly protos: PackageDefinition;
  /** The shared request-path Redis client, connected (start-up fails with one line when unreachable). */
  redis(): Promise<RedisClient>;
  /** A dedicated connection for blocking reads (XREADGROUP BLOCK); closed at shutdown. */
  blockingRedis(name: string): Promise<RedisClient>;
  /** The shared MySQL pool + drizzle, checked and migrated (MYSQL_MIGRATE_ON_START) on first use; closed at shutdown. */
  db(): Promise<Database>;
}

export interface RuntimeDeps {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly shutdown: Shutdown;
}

export function createRuntime(deps: RuntimeDeps): Runtime {
  const { config, logger, shutdown } = deps;
  let shared: Promise<RedisClient> | undefined;
  let database: Promise<Database> | undefined;
  let protos: PackageDefinition | undefined;

  async function connected(name: string, blocking: boolean): Promise<RedisClient> {
    const client = createRedis(config, { logger, name, blocking });
    shutdown.register(`redis:${name}`, 'close', async () => {
      await client.quit().catch(() => client.disconnect());
    });
    await connectRedis(client, config);
    return client;
  }

  return {
    ...deps,
    get protos() {
      protos ??= loadProtoDefinition(shopProtoSource());
      return protos;
    },
    redis() {
      shared ??= connected('shared', false);
      return shared;
    },
    blockingRedis(name) {
      return connected(name, true);
    },
    db() {
      database ??= openDatabase(config, { logger }).then(opened => {
        shutdown.register('mysql', 'close', () => opened.close());
        return opened;
      });
      return database;
    },
  };
}
