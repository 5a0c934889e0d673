// Removing a bench's Redis keys (single node or every Cluster master) with SCAN + UNLINK, so even
// hundreds of thousands of order records go without blocking Redis for other users.
import type { RedisClient } from '../../src/platform/redis';

export async function unlinkByPrefix(client: RedisClient, prefix: string, keep: (key: string) => boolean = () => false): Promise<number> {
  if (prefix.length < 4 || /[*?[\]\\]/.test(prefix)) throw new RangeError(`refusing to delete by a short or glob prefix: "${prefix}"`);
  const nodes = 'nodes' in client ? client.nodes('master') : [client];
  let removed = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 2000);
      cursor = next;
      const doomed = keys.filter(k => !keep(k));
      // One UNLINK per key: on a Cluster the keys of a batch may sit in different slots.
      if (doomed.length > 0) {
        const pipeline = node.pipeline();
        for (const key of doomed) pipeline.unlink(key);
        await pipeline.exec();
        removed += doomed.length;
      }
    } while (cursor !== '0');
  }
  return removed;
}

/** Redis settings that decide what a write costs, for the report. */
export async function redisDurability(client: RedisClient): Promise<Record<string, string>> {
  const node = 'nodes' in client ? client.nodes('master')[0]! : client;
  const out: Record<string, string> = {};
  for (const name of ['appendonly', 'appendfsync']) {
    const reply = (await node.config('GET', name)) as string[];
    out[name] = reply[1] ?? '?';
  }
  const info = await node.info('server');
  out.redis_version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
  return out;
}
