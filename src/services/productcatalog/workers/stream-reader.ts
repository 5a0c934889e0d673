// One consumer-group loop on ONE stream. Each loop owns a dedicated connection for its blocking
// XREADGROUP: a blocked connection can serve nothing else, and on Redis Cluster a blocking read covers
// one slot only, so reading shard by shard (one stream, one connection each) works the same on a single
// node and on a cluster. Non-blocking calls (XAUTOCLAIM, XGROUP, acks) go through the shared client.
//
// Delivery contract: the handler acks what it finished and returns what must be retried; the loop keeps
// that batch in hand and retries it with capped exponential backoff (DB or broker down) until it is done
// or the loop stops. Anything left is still pending in the group and comes back through XAUTOCLAIM,
// here or on another replica, once idle for claimIdleMs. Nothing is acked by the loop itself.
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import { backoffDelay } from '../../../platform/mq/backoff';
import { closeRedis, type RedisClient } from '../../../platform/redis';
import { autoClaimReply, readGroupEntries, type StreamEntry } from './stream-entries';
import { ensureGroup, isNoGroupError } from './stream-group';
import { inBatchSpan } from './stream-trace';
import type { StreamLoopSettings } from './worker-settings';

/** Returns the entries still to retry (empty when all were finished); throwing means "retry all". */
export type BatchHandler = (entries: readonly StreamEntry[]) => Promise<readonly StreamEntry[]>;

export interface StreamLoopOptions {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
  /** Shared client for XAUTOCLAIM and XGROUP. */
  readonly redis: RedisClient;
  /** Dedicated to this loop's XREADGROUP BLOCK; the loop closes it when it ends. */
  readonly blocking: RedisClient;
  readonly settings: StreamLoopSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly handle: BatchHandler;
}

export interface StreamLoopStats {
  readonly stream: string;
  readonly running: boolean;
  /** Entries handed to the handler (new and reclaimed). */
  readonly received: number;
  /** Of those, taken over from idle consumers by XAUTOCLAIM. */
  readonly claimed: number;
  /** Current streak of failed attempts (0 when healthy). */
  readonly failures: number;
  readonly totalFailures: number;
  readonly lastError: string | null;
}

export interface StreamLoop {
  /** Stops reading, finishes the batch in hand (no new retries), closes the blocking connection. */
  stop(): Promise<void>;
  stats(): StreamLoopStats;
  /** Settles when the loop has ended. */
  readonly done: Promise<void>;
}

/** Extra wait for a blocked read to come back on its own before its connection is cut. */
const STOP_GRACE_MS = 1000;

export function startStreamLoop(opts: StreamLoopOptions): StreamLoop {
  const { stream, group, consumer, redis, blocking, settings, clock, handle } = opts;
  const log = opts.logger.child({ stream, group });
  const abort = new AbortController();
  let stopping = false;
  let received = 0;
  let claimed = 0;
  let failures = 0;
  let totalFailures = 0;
  let lastError: string | null = null;
  let running = true;

  const pause = async (ms: number): Promise<void> => {
    try {
      await clock.sleep(ms, abort.signal);
    } catch {
      // aborted by stop()
    }
  };

  function failed(err: unknown): void {
    failures += 1;
    totalFailures += 1;
    lastError = err instanceof Error ? err.message : String(err);
    if (failures === 1 || failures % 20 === 0) {
      log.warn({ err, failures }, 'stream worker attempt failed; backing off (entries stay pending)');
    }
  }

  function recovered(): void {
    if (failures > 0) log.info({ failures }, 'stream worker recovered');
    failures = 0;
  }

  async function inHand(entries: readonly StreamEntry[]): Promise<void> {
    received += entries.length;
    let batch = entries;
    while (batch.length > 0) {
      try {
        const attempt = batch;
        batch = await inBatchSpan(group, stream, attempt, () => handle(attempt));
        if (batch.length === 0) {
          recovered();
          return;
        }
        failed(new Error(`${batch.length} entries not finished`));
      } catch (err) {
        failed(err);
      }
      if (stopping) {
        log.info({ left: batch.length }, 'stopping with a batch unfinished: left pending for XAUTOCLAIM');
        return;
      }
      await pause(backoffDelay(settings.backoff, failures));
    }
  }

  /** Takes over entries idle longer than claimIdleMs (their consumer died or is stuck). */
  async function claimRound(): Promise<void> {
    let cursor = '0-0';
    do {
      const reply = autoClaimReply(
        await redis.xautoclaim(stream, group, consumer, settings.claimIdleMs, cursor, 'COUNT', settings.batchSize),
      );
      if (reply.deleted.length > 0) log.warn({ ids: reply.deleted }, 'pending entries no longer in the stream (deleted by someone)');
      if (reply.entries.length > 0) {
        claimed += reply.entries.length;
        log.info({ count: reply.entries.length }, 'reclaimed idle pending entries');
        await inHand(reply.entries);
      }
      cursor = reply.cursor;
    } while (cursor !== '0-0' && !stopping);
  }

  async function run(): Promise<void> {
    let groupReady = false;
    let lastClaim = -Infinity;
    while (!stopping) {
      try {
        if (!groupReady) {
          await ensureGroup(redis, stream, group);
          groupReady = true;
        }
        if (clock.now() - lastClaim >= settings.claimIntervalMs) {
          lastClaim = clock.now();
          await claimRound();
          continue;
        }
        const reply = await blocking.xreadgroup(
          'GROUP', group, consumer, 'COUNT', settings.batchSize, 'BLOCK', settings.blockMs, 'STREAMS', stream, '>',
        );
        const entries = readGroupEntries(reply);
        if (entries.length > 0) await inHand(entries);
        else recovered();
      } catch (err) {
        if (stopping) break;
        if (isNoGroupError(err)) groupReady = false;
        failed(err);
        await pause(backoffDelay(settings.backoff, failures));
      }
    }
  }

  const done = run()
    .catch(err => log.error({ err }, 'stream loop crashed'))
    .finally(async () => {
      running = false;
      await closeRedis(blocking);
    });

  let stopped: Promise<void> | undefined;
  return {
    done,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        abort.abort();
        let timer: NodeJS.Timeout | undefined;
        const waited = await Promise.race([
          done.then(() => true),
          new Promise<boolean>(resolve => {
            timer = setTimeout(() => resolve(false), settings.blockMs + STOP_GRACE_MS);
          }),
        ]);
        clearTimeout(timer);
        // A read still blocked after BLOCK ms means Redis is unreachable: cut it (its entries stay pending).
        if (!waited) blocking.disconnect();
        await done;
      })();
      return stopped;
    },
    stats: () => ({ stream, running, received, claimed, failures, totalFailures, lastError }),
  };
}
