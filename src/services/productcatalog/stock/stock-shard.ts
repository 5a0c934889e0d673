// Typed calls on one stock shard: builds the KEYS/ARGV layout each script documents and decodes its reply.
import type { Clock } from '../../../platform/clock';
import { encodeLines, encodeShards, encodeTrace } from './line-codec';
import {
  parseDecideReply,
  parseReleaseReply,
  parseReserveReply,
  parseSettleReply,
  parseWarmUpReply,
  type DecideReply,
  type ReleaseReply,
  type ReserveReply,
  type SettleReply,
  type WarmUpReply,
} from './script-replies';
import type { IndexedLine } from './shard-router';
import type { StockSettings } from './stock-settings';
import type { StockKeys } from './stock-keys';
import type { RedisClient, ScriptArg, StockScripts } from './stock-scripts';
import type { RecordState, StockLine } from './types';

export interface ReservePartInput {
  readonly orderId: string;
  readonly userId: string;
  /** COMMIT: a whole order or its last (home) part; PART: an earlier part, HELD until settled. */
  readonly mode: 'COMMIT' | 'PART';
  readonly shards: readonly number[];
  readonly allLines: readonly StockLine[];
  readonly payload: string;
  readonly trace: Readonly<Record<string, string>> | undefined;
  readonly lines: readonly IndexedLine[];
}

export interface ReleaseInput {
  readonly orderId: string;
  readonly mode: 'RELEASE' | 'ABORT';
  /** ABORT only. DELETE removes the record so the order id may be tried again. */
  readonly final?: 'ABORTED' | 'REFUSED' | 'DELETE';
  readonly reason: string;
  /** The record's 'lines' exactly as read (KEYS are built from them). */
  readonly recordLines: string;
  readonly outcome?: string;
  readonly ttlMs: number;
  readonly trace?: Readonly<Record<string, string>>;
}

export interface RecordView {
  readonly state: RecordState;
  readonly userId: string;
  /** This shard's lines, raw as stored. */
  readonly lines: string;
  readonly all: string;
  readonly shards: string;
  readonly outcome: string;
}

export interface ItemView {
  readonly stock: number | null;
  readonly limit: number;
  readonly seq: number;
  readonly synced: number;
  readonly warmedAt: number | null;
}

export interface StockShardOps {
  reserve(shard: number, input: ReservePartInput): Promise<ReserveReply>;
  release(shard: number, input: ReleaseInput): Promise<ReleaseReply>;
  settle(shard: number, orderId: string): Promise<SettleReply>;
  decide(home: number, orderId: string): Promise<DecideReply>;
  readRecord(shard: number, orderId: string): Promise<RecordView | null>;
  readItem(shard: number, sku: string): Promise<ItemView>;
  warmUp(shard: number, sku: string, stock: number, limit: number, token: string): Promise<WarmUpReply>;
  staleParts(shard: number, olderThan: number, count: number): Promise<string[]>;
}

const num = (v: string | null | undefined, fallback: number): number => {
  if (v === null || v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
};

const RECORD_STATES: ReadonlySet<string> = new Set<RecordState>(['HELD', 'RESERVED', 'RELEASED', 'REFUSED', 'ABORTED']);

export function createStockShardOps(deps: {
  redis: RedisClient;
  keys: StockKeys;
  scripts: StockScripts;
  clock: Pick<Clock, 'now'>;
  settings: StockSettings;
}): StockShardOps {
  const { redis, keys, scripts, clock, settings } = deps;
  return {
    async reserve(shard, p) {
      const keyList = [keys.resv(shard, p.orderId), keys.ordersStream(shard), keys.stockStream(shard), keys.parts(shard)];
      const args: ScriptArg[] = [
        p.orderId,
        p.userId,
        clock.now(),
        p.mode,
        encodeShards(p.shards),
        encodeLines(p.allLines),
        p.mode === 'COMMIT' ? p.payload : '',
        encodeTrace(p.trace),
        settings.recordTtlMs,
        settings.refusalTtlMs,
        p.lines.length,
      ];
      for (const line of p.lines) {
        keyList.push(keys.item(shard, line.sku), keys.buyers(shard, line.sku));
        args.push(line.sku, line.qty, line.index);
      }
      return parseReserveReply(await scripts.run('reserve-stock', keyList, args));
    },

    async release(shard, p) {
      const keyList = [keys.resv(shard, p.orderId), keys.stockStream(shard), keys.parts(shard)];
      for (const part of p.recordLines === '' ? [] : p.recordLines.split(',')) {
        const sku = part.slice(0, part.indexOf(':'));
        keyList.push(keys.item(shard, sku), keys.buyers(shard, sku));
      }
      const args: ScriptArg[] = [
        p.orderId,
        p.mode,
        p.final ?? '',
        p.reason,
        clock.now(),
        p.recordLines,
        p.outcome ?? '',
        p.ttlMs,
        encodeTrace(p.trace),
      ];
      return parseReleaseReply(await scripts.run('release-stock', keyList, args));
    },

    async settle(shard, orderId) {
      return parseSettleReply(await scripts.run('settle-stock-part', [keys.resv(shard, orderId), keys.parts(shard)], [orderId]));
    },

    async decide(home, orderId) {
      return parseDecideReply(await scripts.run('decide-stock-order', [keys.resv(home, orderId)], [clock.now(), settings.recordTtlMs]));
    },

    async readRecord(shard, orderId) {
      const [state, userId, lines, all, shards, outcome] = await redis.hmget(
        keys.resv(shard, orderId),
        'state',
        'user',
        'lines',
        'all',
        'shards',
        'outcome',
      );
      if (!state || !RECORD_STATES.has(state)) return null;
      return {
        state: state as RecordState,
        userId: userId ?? '',
        lines: lines ?? '',
        all: all ?? '',
        shards: shards ?? '',
        outcome: outcome ?? '',
      };
    },

    async readItem(shard, sku) {
      const [stock, limit, seq, synced, warmedAt] = await redis.hmget(keys.item(shard, sku), 'stock', 'limit', 'seq', 'synced', 'warmed_at');
      return {
        stock: stock === null ? null : num(stock, 0),
        limit: num(limit, 0),
        seq: num(seq, 0),
        synced: num(synced, 0),
        warmedAt: warmedAt === null ? null : num(warmedAt, 0),
      };
    },

    async warmUp(shard, sku, stock, limit, token) {
      return parseWarmUpReply(await scripts.run('warm-up-stock', [keys.item(shard, sku)], [stock, limit, token, clock.now()]));
    },

    staleParts(shard, olderThan, count) {
      return redis.zrangebyscore(keys.parts(shard), '-inf', olderThan, 'LIMIT', 0, count);
    },
  };
}
