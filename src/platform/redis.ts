// ioredis factory: a single node (REDIS_URL) or a Cluster (REDIS_CLUSTER_NODES), connected explicitly
// with a start-up timeout so a wrong address fails fast with one line instead of retrying forever.
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Config } from './config';
import type { Logger } from './logger';
import { StartupError } from './startup-error';

export type RedisClient = Redis | Cluster;

export interface CreateRedisOptions {
  readonly logger: Logger;
  /** Shown in CLIENT LIST and logs, e.g. "inventory" or "stock-worker". */
  readonly name: string;
  /** For XREADGROUP BLOCK and similar: never fail a queued command because of reconnects. */
  readonly blocking?: boolean;
}

type RedisConfig = Pick<Config, 'redis' | 'lifecycle'>;

/** Which setting names the Redis we talk to (for error messages). */
export function redisSource(config: RedisConfig): { key: string; value: string } {
  return config.redis.clusterNodes.length > 0
    ? { key: 'REDIS_CLUSTER_NODES', value: config.redis.clusterNodes.map(n => `${n.host}:${n.port}`).join(',') }
    : { key: 'REDIS_URL', value: config.redis.url };
}

/** Creates a client that is not yet connected; call connectRedis before use. */
export function createRedis(config: RedisConfig, options: CreateRedisOptions): RedisClient {
  const log = options.logger.child({ component: 'redis', client: options.name });
  const common: RedisOptions = {
    lazyConnect: true,
    connectionName: options.name,
    connectTimeout: config.lifecycle.startupCheckTimeoutMs,
    // Blocking readers wait out outages; request-path clients fail after a few reconnects so breakers can act.
    maxRetriesPerRequest: options.blocking ? null : 3,
  };
  const client: RedisClient =
    config.redis.clusterNodes.length > 0
      ? new Cluster(
          config.redis.clusterNodes.map(n => ({ host: n.host, port: n.port })),
          { lazyConnect: true, redisOptions: common, scaleReads: 'master' },
        )
      : new Redis(config.redis.url, common);

  // ioredis emits 'error' on every failed reconnect; log the first of each outage only.
  let healthy = true;
  client.on('error', (err: Error) => {
    if (healthy) log.warn({ reason: err.message }, 'redis connection error');
    healthy = false;
  });
  client.on('ready', () => {
    if (!healthy) log.info('redis connection restored');
    healthy = true;
  });
  return client;
}

/**
 * Connects (ioredis retries meanwhile) and PINGs within STARTUP_CHECK_TIMEOUT_MS.
 * On failure the client is disconnected and a StartupError names REDIS_URL or REDIS_CLUSTER_NODES.
 */
export async function connectRedis(client: RedisClient, config: RedisConfig): Promise<void> {
  const { key, value } = redisSource(config);
  const timeoutMs = config.lifecycle.startupCheckTimeoutMs;
  let lastError: Error | undefined;
  let lastNodeError: string | undefined;
  const onError = (err: Error) => {
    lastError = err;
  };
  // A Cluster reports "Failed to refresh slots cache"; the per-node error says why.
  const onNodeError = (err: Error, address: string) => {
    lastNodeError = `${address}: ${err.message}`;
  };
  client.on('error', onError);
  client.on('node error', onNodeError);
  try {
    await new Promise<void>((resolve, reject) => {
      if (client.status === 'ready') return resolve();
      const timer = setTimeout(() => {
        client.removeListener('ready', onReady);
        reject(new Error(lastError?.message ?? `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      function onReady() {
        clearTimeout(timer);
        resolve();
      }
      client.once('ready', onReady);
      if (client.status === 'wait') client.connect().catch(() => undefined); // retried by ioredis; reported on timeout
    });
    await client.ping();
  } catch (err) {
    client.disconnect();
    const message = err instanceof Error ? err.message : String(err);
    const reason = lastNodeError && !message.includes(lastNodeError) ? `${message} (${lastNodeError})` : message;
    throw new StartupError('Redis', key, value, reason, { cause: err });
  } finally {
    client.removeListener('error', onError);
    client.removeListener('node error', onNodeError);
  }
}

/** QUIT politely; fall back to dropping the socket. */
export async function closeRedis(client: RedisClient): Promise<void> {
  if (client.status === 'end' || client.status === 'wait') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
