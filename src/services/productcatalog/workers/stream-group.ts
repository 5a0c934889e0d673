// Consumer-group plumbing shared by the stream workers.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { RedisClient } from '../../../platform/redis';

/**
 * Creates the group if missing, at id 0 (not '$'): entries the Lua scripts wrote before the first worker
 * ever started must still be consumed. MKSTREAM lets a group exist before the first entry.
 */
export async function ensureGroup(redis: RedisClient, stream: string, group: string): Promise<boolean> {
  try {
    await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
    return true;
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('BUSYGROUP')) return false;
    throw err;
  }
}

/** The stream or group vanished (deleted key, FLUSHALL): recreate the group and carry on. */
export function isNoGroupError(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOGROUP');
}

/**
 * Unique per process: two replicas (or a restarted pod reusing its hostname) never share a consumer,
 * so one never acks or claims on behalf of the other by accident.
 */
export function uniqueConsumerName(prefix: string): string {
  const host = hostname().replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
  return `${prefix}:${host}:${process.pid}:${randomBytes(3).toString('hex')}`;
}
