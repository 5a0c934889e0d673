// Stream retention: periodically trims every orders and stock stream below what EVERY consumer group
// has acked (trim-floor.ts) with XTRIM MINID. Never a blind MAXLEN, which silently drops unconsumed
// entries (seckill.md 1.10). The groups the pipeline needs are created first (at id 0), so a group
// that has not started yet keeps the whole stream rather than losing it. Several replicas may trim at
// once: the floor only moves forward and XTRIM is idempotent. Dead streams are left alone.
// Also removes consumers of past processes (nothing pending, idle for hours) so groups do not collect them.
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import type { RedisClient } from '../../../platform/redis';
import { consumerInfos, groupInfos, pendingSummary } from './stream-entries';
import { ensureGroup } from './stream-group';
import { trimFloor, type GroupPosition } from './trim-floor';
import type { TrimmerSettings } from './worker-settings';

export interface TrimTarget {
  readonly stream: string;
  /** Groups that must exist (created if missing) before anything is trimmed. */
  readonly groups: readonly string[];
  /** Called with the trim floor after each trim (stock streams: prune their settled set up to it). */
  readonly afterTrim?: (floor: string) => Promise<unknown>;
}

export interface TrimResult {
  readonly stream: string;
  readonly floor: string | null;
  readonly trimmed: number;
  readonly consumersRemoved: number;
}

export interface TrimmerStats {
  readonly runs: number;
  readonly trimmed: number;
  readonly consumersRemoved: number;
  readonly lastError: string | null;
}

export interface StreamTrimmer {
  /** One pass over every target (also what the periodic loop runs). */
  trimOnce(): Promise<TrimResult[]>;
  stop(): Promise<void>;
  stats(): TrimmerStats;
}

export async function trimStream(redis: RedisClient, target: TrimTarget, deadConsumerIdleMs = 0): Promise<TrimResult> {
  const { stream } = target;
  for (const g of target.groups) await ensureGroup(redis, stream, g);
  const infos = groupInfos(await redis.xinfo('GROUPS', stream));
  const positions: GroupPosition[] = [];
  let consumersRemoved = 0;
  for (const info of infos) {
    const minPendingId = info.pending > 0 ? pendingSummary(await redis.xpending(stream, info.name)).minId : null;
    positions.push({ name: info.name, lastDeliveredId: info.lastDeliveredId, minPendingId });
    if (deadConsumerIdleMs > 0) consumersRemoved += await removeDeadConsumers(redis, stream, info.name, deadConsumerIdleMs);
  }
  const floor = trimFloor(positions, target.groups);
  const trimmed = floor === null ? 0 : Number(await redis.xtrim(stream, 'MINID', floor));
  if (floor !== null) await target.afterTrim?.(floor);
  return { stream, floor, trimmed, consumersRemoved };
}

/** A consumer with nothing pending loses nothing when deleted; idle for hours means its process is gone. */
async function removeDeadConsumers(redis: RedisClient, stream: string, group: string, idleMs: number): Promise<number> {
  let removed = 0;
  for (const c of consumerInfos(await redis.xinfo('CONSUMERS', stream, group))) {
    if (c.pending === 0 && c.idleMs >= idleMs) {
      await redis.xgroup('DELCONSUMER', stream, group, c.name);
      removed += 1;
    }
  }
  return removed;
}

export function startStreamTrimmer(deps: {
  redis: RedisClient;
  targets: () => readonly TrimTarget[];
  clock: Clock;
  logger: Logger;
  settings: TrimmerSettings;
}): StreamTrimmer {
  const { redis, clock, settings } = deps;
  const log = deps.logger.child({ worker: 'stream-trimmer' });
  const abort = new AbortController();
  const totals = { runs: 0, trimmed: 0, consumersRemoved: 0 };
  let lastError: string | null = null;
  let stopping = false;

  async function trimOnce(): Promise<TrimResult[]> {
    const results: TrimResult[] = [];
    for (const target of deps.targets()) results.push(await trimStream(redis, target, settings.deadConsumerIdleMs));
    totals.runs += 1;
    for (const r of results) {
      totals.trimmed += r.trimmed;
      totals.consumersRemoved += r.consumersRemoved;
    }
    const trimmed = results.filter(r => r.trimmed > 0 || r.consumersRemoved > 0);
    if (trimmed.length > 0) log.debug({ trimmed }, 'streams trimmed');
    lastError = null;
    return results;
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      // Jitter spreads replicas apart; a pass is cheap either way.
      try {
        await clock.sleep(settings.intervalMs * (0.8 + 0.4 * Math.random()), abort.signal);
      } catch {
        break;
      }
      try {
        await trimOnce();
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
        log.warn({ err }, 'stream trim pass failed; next pass will retry');
      }
    }
  }

  const done = loop();
  return {
    trimOnce,
    async stop() {
      stopping = true;
      abort.abort();
      await done;
    },
    stats: () => ({ ...totals, lastError }),
  };
}
