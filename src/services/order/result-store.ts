// The buyer's result channel in Redis (item 7): one hash per order, `order:{<id>}:result`, written
// after every committed change (the repo's onCommitted listener), read by GetOrderProgress and
// WatchOrder, so polling never touches MySQL. Each write also PUBLISHes on `order:{<id>}:watch`
// (same Lua call, newest version only) for WatchOrder's live stream.
import { OrderStatus } from '../../gen/shop/v1/common';
import { OrderProgress, ProgressState } from '../../gen/shop/v1/order';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { defineScripts } from '../../platform/lua-scripts';
import { projectPath } from '../../platform/paths';
import type { RedisClient } from '../../platform/redis';
import { isFinal, isOrderStatusName, statusToProto, type OrderStatusName } from './state-machine';
import type { OrderChange } from './types';

/** Versions below 0 are pre-row states (accepted); the row's own versions start at 0. */
const IN_PROGRESS_VERSION = -1;

export interface ProgressRecord {
  progress: OrderProgress;
  userId: string;
  /** orders.version the record reflects (-1 before the row exists). */
  version: number;
}

export interface ResultStore {
  /** After a commit: writes each change (older ones are skipped by version). Never throws: logs. */
  record(changes: readonly OrderChange[]): Promise<void>;
  /** Accepted, row not in MySQL yet (called by whoever accepts the order). */
  markInProgress(orderId: string, userId: string, expiresAt: Date | undefined): Promise<void>;
  /** The order could not be created (its stock is released by the caller). */
  markFailed(orderId: string, userId: string, reason: string): Promise<void>;
  get(orderId: string): Promise<ProgressRecord | undefined>;
  /** Pub/sub channel of one order. */
  channel(orderId: string): string;
  /** Parses a message published on `channel(id)`. */
  decodeMessage(message: string): ProgressRecord;
  key(orderId: string): string;
}

export interface ResultStoreOptions {
  readonly ttlMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Prefix of keys and channels (tests); default ''. */
  readonly prefix?: string;
}

interface Entry {
  orderId: string;
  userId: string;
  version: number;
  state: ProgressState;
  status: OrderStatusName;
  reason: string;
  trackingId: string;
  expiresAt: Date | undefined;
  updatedAt: Date;
}

function toProgress(e: Entry): OrderProgress {
  const terminal = e.state === ProgressState.PROGRESS_STATE_FAIL || (e.state === ProgressState.PROGRESS_STATE_SUCCESS && isFinal(e.status));
  return {
    orderId: e.orderId,
    state: e.state,
    status: e.state === ProgressState.PROGRESS_STATE_FAIL ? OrderStatus.ORDER_STATUS_UNSPECIFIED : statusToProto(e.status),
    reason: e.reason,
    terminal,
    trackingId: e.trackingId,
    expiresAt: e.expiresAt,
    updatedAt: e.updatedAt,
  };
}

export function createResultStore(redis: RedisClient, opts: ResultStoreOptions): ResultStore {
  const scripts = defineScripts<{ resultWrite: number }>(redis, projectPath('lua', 'order'));
  const prefix = opts.prefix ?? '';
  const log = opts.logger.child({ component: 'order-result' });
  const key = (id: string) => `${prefix}order:{${id}}:result`;
  const channel = (id: string) => `${prefix}order:{${id}}:watch`;

  async function write(e: Entry): Promise<void> {
    const message = `${e.version}|${e.userId}|${Buffer.from(OrderProgress.encode(toProgress(e)).finish()).toString('base64')}`;
    await scripts.run('resultWrite', [key(e.orderId)], [
      e.version,
      opts.ttlMs,
      channel(e.orderId),
      message,
      'user', e.userId,
      'state', e.state,
      'status', e.status,
      'reason', e.reason,
      'tracking_id', e.trackingId,
      'expires_at', e.expiresAt === undefined ? '' : e.expiresAt.getTime(),
      'updated_at', e.updatedAt.getTime(),
    ]);
  }

  const safely = async (what: string, orderId: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      // The commit stands; the key catches up with the next change (or expires). Buyers may poll stale.
      log.warn({ orderId, reason: err instanceof Error ? err.message : String(err) }, `result write failed (${what})`);
    }
  };

  return {
    key,
    channel,
    async record(changes) {
      await Promise.all(
        changes.map(c =>
          safely('change', c.orderId, () =>
            write({
              orderId: c.orderId,
              userId: c.userId,
              version: c.version,
              state: ProgressState.PROGRESS_STATE_SUCCESS,
              status: c.to,
              reason: c.to === 'CANCELLED' || c.to === 'SHIP_FAILED' ? c.reason : '',
              trackingId: c.trackingId ?? '',
              expiresAt: c.expiresAt,
              updatedAt: c.at,
            }),
          ),
        ),
      );
    },
    markInProgress: (orderId, userId, expiresAt) =>
      write({
        orderId,
        userId,
        version: IN_PROGRESS_VERSION,
        state: ProgressState.PROGRESS_STATE_IN_PROGRESS,
        status: 'PENDING_PAYMENT',
        reason: '',
        trackingId: '',
        expiresAt,
        updatedAt: new Date(opts.clock.now()),
      }),
    markFailed: (orderId, userId, reason) =>
      write({
        orderId,
        userId,
        version: 0,
        state: ProgressState.PROGRESS_STATE_FAIL,
        status: 'PENDING_PAYMENT',
        reason,
        trackingId: '',
        expiresAt: undefined,
        updatedAt: new Date(opts.clock.now()),
      }),
    async get(orderId) {
      const h = await redis.hgetall(key(orderId));
      if (h.version === undefined) return undefined;
      const status = isOrderStatusName(h.status ?? '') ? (h.status as OrderStatusName) : 'PENDING_PAYMENT';
      const entry: Entry = {
        orderId,
        userId: h.user ?? '',
        version: Number(h.version),
        state: Number(h.state) as ProgressState,
        status,
        reason: h.reason ?? '',
        trackingId: h.tracking_id ?? '',
        expiresAt: h.expires_at ? new Date(Number(h.expires_at)) : undefined,
        updatedAt: new Date(Number(h.updated_at ?? 0)),
      };
      return { progress: toProgress(entry), userId: entry.userId, version: entry.version };
    },
    decodeMessage(message) {
      const first = message.indexOf('|');
      const second = message.indexOf('|', first + 1);
      return {
        version: Number(message.slice(0, first)),
        userId: message.slice(first + 1, second),
        progress: OrderProgress.decode(Buffer.from(message.slice(second + 1), 'base64')),
      };
    },
  };
}
