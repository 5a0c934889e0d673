// The cross-shard coordinator's failure paths, against a scripted fake of the per-shard calls
// (the Redis side of the same protocol is covered by test/integration/stock-multi-line.test.ts).
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/platform/clock';
import { createReserveOrder } from '../../src/services/productcatalog/stock/reserve-order';
import type { ReserveReply } from '../../src/services/productcatalog/stock/script-replies';
import { shardOf } from '../../src/services/productcatalog/stock/shard-router';
import { createSoldOutFlags } from '../../src/services/productcatalog/stock/sold-out-flags';
import { resolveStockSettings } from '../../src/services/productcatalog/stock/stock-settings';
import type { ReleaseInput, ReservePartInput, StockShardOps } from '../../src/services/productcatalog/stock/stock-shard';
import type { ReserveRequest } from '../../src/services/productcatalog/stock/types';

const settings = resolveStockSettings({ shards: 8 });

/** Two SKUs on different shards, ascending. */
function twoShards(): [string, string] {
  const a = 'K-0';
  let n = 1;
  while (shardOf(`K-${n}`, 8) === shardOf(a, 8)) n++;
  const b = `K-${n}`;
  return shardOf(a, 8) < shardOf(b, 8) ? [a, b] : [b, a];
}

function setup(replies: Array<ReserveReply | Error>) {
  const reserves: Array<[number, ReservePartInput]> = [];
  const releases: Array<[number, ReleaseInput]> = [];
  const settles: number[] = [];
  const ops = {
    async reserve(shard: number, input: ReservePartInput) {
      reserves.push([shard, input]);
      const next = replies.shift();
      if (!next) throw new Error('no scripted reply');
      if (next instanceof Error) throw next;
      return next;
    },
    async release(shard: number, input: ReleaseInput) {
      releases.push([shard, input]);
      return { code: 'RELEASED' as const, lines: [], stockEntryId: '1-0' };
    },
    async settle(shard: number) {
      settles.push(shard);
      return { code: 'SETTLED' as const };
    },
    async readRecord() {
      return null;
    },
  } as unknown as StockShardOps;
  const flags = createSoldOutFlags(new ManualClock(), 1000);
  const reserve = createReserveOrder({ ops, flags, settings });
  return { reserve, reserves, releases, settles, flags };
}

const [A, B] = twoShards();
const req: ReserveRequest = { orderId: 'o1', userId: 'u1', lines: [{ sku: B, qty: 2 }, { sku: A, qty: 1 }], orderPayload: 'p' };
const ok = (after: number[]): ReserveReply => ({ code: 'RESERVED', orderEntryId: null, stockEntryId: '1-0', after });

describe('stock reserve coordinator (cross-shard paths)', () => {
  it('reserves parts in ascending shard order, only the last commits, then settles the others', async () => {
    const t = setup([ok([4]), ok([0])]);
    const out = await t.reserve(req);
    assert.deepEqual(t.reserves.map(([s, i]) => [s, i.mode, i.lines.map(l => l.sku)]), [
      [shardOf(A, 8), 'PART', [A]],
      [shardOf(B, 8), 'COMMIT', [B]],
    ]);
    assert.deepEqual(out, { kind: 'RESERVED', orderId: 'o1', shards: [shardOf(A, 8), shardOf(B, 8)], lines: [
      { sku: B, qty: 2, remaining: 0 }, { sku: A, qty: 1, remaining: 4 },
    ] });
    assert.deepEqual(t.settles, [shardOf(A, 8)]);
    assert.equal(t.flags.isSoldOut(B), true, 'a line left at zero marks its item');
  });

  it('a Redis error before the commit step gives back every part, the uncertain one included', async () => {
    const t = setup([new Error('connection lost')]);
    await assert.rejects(t.reserve(req), /connection lost/);
    assert.deepEqual(t.releases.map(([s, i]) => [s, i.mode, i.final, i.recordLines]), [[shardOf(A, 8), 'ABORT', 'DELETE', `${A}:1`]]);
  });

  it('a Redis error AT the commit step leaves the parts to the sweeper (the order may have committed)', async () => {
    const t = setup([ok([4]), new Error('timeout')]);
    await assert.rejects(t.reserve(req), /timeout/);
    assert.deepEqual(t.releases, []);
    assert.deepEqual(t.settles, []);
  });

  it('a refusal at the commit step stamps the refusal on the parts taken', async () => {
    const t = setup([ok([4]), { code: 'LIMIT_EXCEEDED', index: 0, sku: B, limit: 1, held: 0, raw: `LIMIT_EXCEEDED|0|${B}|1|0` }]);
    assert.deepEqual(await t.reserve(req), { kind: 'LIMIT_EXCEEDED', line: 0, sku: B, limit: 1, held: 0 });
    assert.deepEqual(t.releases.map(([s, i]) => [s, i.final, i.outcome]), [[shardOf(A, 8), 'REFUSED', `LIMIT_EXCEEDED|0|${B}|1|0`]]);
  });

  it('a DUPLICATE after parts were taken gives them back and reports the duplicate', async () => {
    const t = setup([ok([4]), { code: 'DUPLICATE', state: 'RESERVED', userId: 'u1', all: [], refusal: null, shards: [shardOf(B, 8)] }]);
    const out = await t.reserve(req);
    assert.equal(out.kind, 'DUPLICATE');
    assert.deepEqual(t.releases.map(([, i]) => i.final), ['DELETE']);
  });

  it('a failed give-back is logged and left to the sweeper, the refusal still answered', async () => {
    const replies: ReserveReply[] = [ok([4]), { code: 'NOT_WARMED', index: 0, sku: B }];
    const warnings: string[] = [];
    const reserve = createReserveOrder({
      ops: {
        reserve: async () => replies.shift(),
        release: async () => {
          throw new Error('down');
        },
      } as unknown as StockShardOps,
      flags: createSoldOutFlags(new ManualClock(), 1000),
      settings,
      logger: { warn: (_o, msg) => warnings.push(msg) },
    });
    assert.deepEqual(await reserve(req), { kind: 'NOT_WARMED', line: 0, sku: B });
    assert.equal(warnings.length, 1);
  });

  it('the sold-out fast path answers before any call, and a retry skips it', async () => {
    const t = setup([ok([4]), ok([3])]);
    t.flags.mark(A);
    assert.deepEqual(await t.reserve(req), { kind: 'SOLD_OUT', line: 1, sku: A, available: 0, fastPath: true });
    assert.equal(t.reserves.length, 0);
    assert.equal((await t.reserve(req, { retry: true })).kind, 'RESERVED');
  });
});
