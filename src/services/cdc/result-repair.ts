// Repairs the buyer's result key `order:{<id>}:result` (and announces it on `order:{<id>}:watch`, which
// WatchOrder streams) from an order row as the binlog shows it: the database is the final fact.
// The order service writes the same key after each commit; this path catches what it missed (a failed
// result write, a crash between commit and write) and changes made by hand in SQL, including ones that
// did not bump orders.version (same version, other status → rewritten). A newer version always wins.
// The hash fields and the channel message are those of order/result-store.ts (its decodeMessage reads them).
import { OrderProgress, ProgressState } from '../../gen/shop/v1/order';
import { defineScripts } from '../../platform/lua-scripts';
import { projectPath } from '../../platform/paths';
import type { RedisClient } from '../../platform/redis';
import { isFinal, isOrderStatusName, statusToProto, type OrderStatusName } from '../order/state-machine';
import { datetimeColumn, integerColumn } from './row-values';

export interface OrderRowFacts {
  readonly orderId: string;
  readonly userId: string;
  readonly status: OrderStatusName;
  readonly version: number;
  readonly reason: string;
  readonly trackingId: string;
  readonly expiresAt: Date | undefined;
  readonly updatedAt: Date;
}

/** The facts of an `orders` row image (text columns); undefined when it is not a usable order row. */
export function orderRowFacts(row: Readonly<Record<string, string>>, fallbackAtMs: number): OrderRowFacts | undefined {
  const status = row.status ?? '';
  const version = integerColumn(row, 'version');
  if (!row.order_id || !row.user_id || !isOrderStatusName(status) || version === undefined) return undefined;
  const expires = datetimeColumn(row, 'expires_at');
  return {
    orderId: row.order_id,
    userId: row.user_id,
    status,
    version: Number(version),
    reason: status === 'CANCELLED' || status === 'SHIP_FAILED' ? (row.failure_reason ?? '') : '',
    trackingId: row.tracking_id ?? '',
    expiresAt: expires === undefined ? undefined : new Date(expires),
    updatedAt: new Date(datetimeColumn(row, 'updated_at') ?? fallbackAtMs),
  };
}

export interface ResultRepair {
  /** true when the key was (re)written and announced. */
  repair(facts: OrderRowFacts): Promise<boolean>;
}

export function createResultRepair(redis: RedisClient, opts: { ttlMs: number; prefix?: string }): ResultRepair {
  const scripts = defineScripts<{ cdcRepairResult: number }>(redis, projectPath('lua', 'cdc'));
  const prefix = opts.prefix ?? '';
  return {
    async repair(f) {
      const progress: OrderProgress = {
        orderId: f.orderId,
        state: ProgressState.PROGRESS_STATE_SUCCESS,
        status: statusToProto(f.status),
        reason: f.reason,
        terminal: isFinal(f.status),
        trackingId: f.trackingId,
        expiresAt: f.expiresAt,
        updatedAt: f.updatedAt,
      };
      const message = `${f.version}|${f.userId}|${Buffer.from(OrderProgress.encode(progress).finish()).toString('base64')}`;
      const written = await scripts.run('cdcRepairResult', [`${prefix}order:{${f.orderId}}:result`], [
        f.version,
        opts.ttlMs,
        `${prefix}order:{${f.orderId}}:watch`,
        message,
        f.status,
        'user', f.userId,
        'state', ProgressState.PROGRESS_STATE_SUCCESS,
        'status', f.status,
        'reason', f.reason,
        'tracking_id', f.trackingId,
        'expires_at', f.expiresAt === undefined ? '' : f.expiresAt.getTime(),
        'updated_at', f.updatedAt.getTime(),
      ]);
      return written === 1;
    },
  };
}
