// The three atomic steps of an idempotency record, as Lua on one key (cluster-safe: one slot).
// Record = hash: s (p = in flight, d = done), o (owner token of the in-flight call), f (request
// fingerprint), and for done records either b (base64 reply bytes) or c + m (gRPC code, details).
import type { RedisClient } from '../redis';

/**
 * KEYS: 1   KEYS[1] idem:{<id>}
 * ARGV[1] owner token   ARGV[2] fingerprint   ARGV[3] lock ttl ms
 * Returns {} when this call now owns the key (in flight), else the existing record (HGETALL).
 */
const BEGIN_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 's', 'p', 'o', ARGV[1], 'f', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return {}
end
return redis.call('HGETALL', KEYS[1])
`;

/**
 * KEYS: 1   ARGV[1] owner token   ARGV[2] ttl ms   ARGV[3..] field, value pairs of the done record
 * Replaces the record only while this call still owns it. Returns 1 when stored, 0 when the lock was lost.
 */
const FINISH_LUA = `
if redis.call('HGET', KEYS[1], 'o') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** KEYS: 1   ARGV[1] owner token. Deletes the in-flight record if this call owns it (a retry may run again). */
const ABANDON_LUA = `
if redis.call('HGET', KEYS[1], 'o') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

type Fn<R> = (key: string, ...args: Array<string | number>) => Promise<R>;

export interface IdempotencyScripts {
  begin(key: string, owner: string, fp: string, lockTtlMs: number): Promise<string[]>;
  finish(key: string, owner: string, ttlMs: number, fields: Record<string, string>): Promise<boolean>;
  abandon(key: string, owner: string): Promise<boolean>;
}

const COMMANDS = { idemBegin: BEGIN_LUA, idemFinish: FINISH_LUA, idemAbandon: ABANDON_LUA } as const;

export function idempotencyScripts(redis: RedisClient): IdempotencyScripts {
  for (const [name, lua] of Object.entries(COMMANDS)) {
    if (!(name in redis)) redis.defineCommand(name, { numberOfKeys: 1, lua });
  }
  const cmd = <R>(name: keyof typeof COMMANDS): Fn<R> => {
    const fn = (redis as unknown as Record<string, Fn<R>>)[name] as Fn<R>;
    return (key, ...args) => fn.call(redis, key, ...args);
  };
  const begin = cmd<string[] | null>('idemBegin');
  const finish = cmd<number>('idemFinish');
  const abandon = cmd<number>('idemAbandon');
  return {
    begin: async (key, owner, fp, ttl) => (await begin(key, owner, fp, ttl)) ?? [],
    finish: async (key, owner, ttl, fields) => (await finish(key, owner, ttl, ...Object.entries(fields).flat())) === 1,
    abandon: async (key, owner) => (await abandon(key, owner)) === 1,
  };
}

/** HGETALL's flat [field, value, ...] list as a record. */
export function toRecord(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
  return out;
}
