// Connected Redis clients for tests, plus cleanup of a test's key prefix.
import { closeRedis, connectRedis, createRedis, type RedisClient } from '../../src/platform/redis';
import { testConfig } from './test-config';
import { testLogger } from './test-logger';

export async function createTestRedis(name = 'test', options: { blocking?: boolean } = {}): Promise<RedisClient> {
  const config = testConfig();
  const client = createRedis(config, { logger: testLogger('redis'), name, blocking: options.blocking ?? false });
  await connectRedis(client, config);
  return client;
}

/** Deletes every key starting with `prefix` (single node; for Cluster, scan each master). */
export async function deleteKeys(client: RedisClient, prefix: string): Promise<void> {
  const nodes = 'nodes' in client ? client.nodes('master') : [client];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) await node.del(key);
    } while (cursor !== '0');
  }
}

export { closeRedis };
