// What the system stores, hashed per Redis key and per MySQL table, so "this call changed nothing"
// is an equality check. Rate-limit counters (`rl:*`) are bookkeeping every call pays, refused or not:
// they are left out and named as such in the report.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { createConnection, type Connection, type RowDataPacket } from 'mysql2/promise';

export const SNAPSHOT_IGNORED_KEYS = /^rl:/;

export interface Snapshot {
  readonly at: number;
  readonly redis: ReadonlyMap<string, string>;
  /** Remaining TTL (ms) of keys that have one: their removal by expiry is not a change. */
  readonly expiresAt: ReadonlyMap<string, number>;
  readonly mysql: ReadonlyMap<string, string>;
}

export interface Snapshotter {
  take(): Promise<Snapshot>;
  close(): Promise<void>;
}

export async function createSnapshotter(redisUrl: string, mysqlUrl: string): Promise<Snapshotter> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const conn: Connection = await createConnection({ uri: mysqlUrl });
  const [rows] = await conn.query<RowDataPacket[]>('SHOW TABLES');
  const tables = rows.map(r => String(Object.values(r)[0]));

  async function redisState(): Promise<{ values: Map<string, string>; expiresAt: Map<string, number> }> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const k of batch) if (!SNAPSHOT_IGNORED_KEYS.test(k)) keys.push(k);
    } while (cursor !== '0');
    const values = new Map<string, string>();
    const expiresAt = new Map<string, number>();
    for (let i = 0; i < keys.length; i += 500) {
      const chunk = keys.slice(i, i + 500);
      const pipe = redis.pipeline();
      for (const k of chunk) pipe.dumpBuffer(k).pttl(k);
      const res = (await pipe.exec()) ?? [];
      const now = Date.now();
      chunk.forEach((k, j) => {
        const value = res[2 * j]?.[1] as Buffer | null | undefined;
        const ttl = Number(res[2 * j + 1]?.[1]);
        if (value) values.set(k, createHash('sha256').update(value).digest('hex'));
        if (ttl > 0) expiresAt.set(k, now + ttl);
      });
    }
    return { values, expiresAt };
  }

  async function mysqlState(): Promise<Map<string, string>> {
    if (tables.length === 0) return new Map();
    const [sums] = await conn.query<RowDataPacket[]>(`CHECKSUM TABLE ${tables.map(t => `\`${t}\``).join(', ')}`);
    return new Map(sums.map(r => [String(r.Table), String(r.Checksum)]));
  }

  return {
    async take() {
      const [r, m] = await Promise.all([redisState(), mysqlState()]);
      return { at: Date.now(), redis: r.values, expiresAt: r.expiresAt, mysql: m };
    },
    async close() {
      redis.disconnect();
      await conn.end();
    },
  };
}

/** Keys / tables that differ, at most `limit` of each, for the failure message. */
export function diffSnapshots(before: Snapshot, after: Snapshot, limit = 10): string[] {
  const out: string[] = [];
  const expired = (k: string) => (before.expiresAt.get(k) ?? Infinity) <= after.at + 1_000;
  const cmp = (what: string, a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>) => {
    const changed: string[] = [];
    for (const [k, v] of b) if (a.get(k) !== v) changed.push(a.has(k) ? `${what} ${k} changed` : `${what} ${k} added`);
    for (const k of a.keys()) if (!b.has(k) && !(what === 'redis key' && expired(k))) changed.push(`${what} ${k} removed`);
    out.push(...changed.slice(0, limit));
    if (changed.length > limit) out.push(`… ${changed.length - limit} more ${what} differences`);
  };
  cmp('redis key', before.redis, after.redis);
  cmp('mysql table', before.mysql, after.mysql);
  return out;
}
