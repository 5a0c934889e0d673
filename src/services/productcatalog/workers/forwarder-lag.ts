// Forwarder lag: age of the oldest order-created entry not yet forwarded on one stream, i.e. the
// smaller of the group's oldest pending entry and the first entry after its last-delivered id.
// The age comes from the entry id (Redis' clock when XADD ran), compared with ours.
import type { RedisClient } from '../../../platform/redis';
import { groupInfos, pendingSummary, toEntries } from './stream-entries';
import { minStreamId, streamIdTime } from './stream-ids';

export async function oldestUnforwarded(redis: RedisClient, stream: string, group: string): Promise<string | null> {
  const info = groupInfos(await redis.xinfo('GROUPS', stream).catch(noStream)).find(g => g.name === group);
  if (!info) {
    // No group yet: everything in the stream is unforwarded.
    const first = toEntries(await redis.xrange(stream, '-', '+', 'COUNT', 1))[0];
    return first?.id ?? null;
  }
  const candidates: string[] = [];
  if (info.pending > 0) {
    const { minId } = pendingSummary(await redis.xpending(stream, group));
    if (minId) candidates.push(minId);
  }
  const next = toEntries(await redis.xrange(stream, `(${info.lastDeliveredId}`, '+', 'COUNT', 1))[0];
  if (next) candidates.push(next.id);
  return minStreamId(candidates) ?? null;
}

/** XINFO on a stream that does not exist yet is an error; it simply has no groups. */
function noStream(err: unknown): unknown[] {
  if (err instanceof Error && /no such key/i.test(err.message)) return [];
  throw err;
}

export function lagMs(oldestId: string | null, now: number): number {
  return oldestId === null ? 0 : Math.max(0, now - streamIdTime(oldestId));
}
