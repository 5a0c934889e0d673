// Bad input is refused with a typed error naming the field, before Redis: nothing changes.
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/platform/errors';
import type { RedisClient } from '../../src/platform/redis';
import { InvalidStockRequestError, type ReserveRequest, type StockService } from '../../src/services/productcatalog/stock';
import { closeRedis, connectStockRedis, figures, redisMode, stockFixture, type StockFixture } from './stock-fixtures';

describe(`stock: bad input (${redisMode} Redis)`, () => {
  let redis: RedisClient;
  let fx: StockFixture;
  let svc: StockService;

  before(async () => {
    redis = await connectStockRedis();
    fx = stockFixture(redis);
    svc = fx.service({ maxLines: 5, maxQty: 10 });
    await svc.warmUp(['SKU-1', 'SKU-2'], figures({ 'SKU-1': { stock: 5, limit: 2 }, 'SKU-2': { stock: 5 } }));
    assert.equal((await svc.reserve(good({ orderId: 'ok-1' }))).kind, 'RESERVED');
  });
  after(async () => {
    await fx.cleanup();
    await closeRedis(redis);
  });

  function good(over: Partial<ReserveRequest> = {}): ReserveRequest {
    return { orderId: 'o-1', userId: 'u-1', lines: [{ sku: 'SKU-1', qty: 1 }], orderPayload: '{"o":1}', ...over };
  }

  /** Every key of the namespace with its content, to prove a refused call wrote nothing. */
  async function state(): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    const nodes = 'nodes' in redis ? redis.nodes('master') : [redis];
    const keys = (await Promise.all(nodes.map(n => n.keys(`{${fx.namespace}:inv:*`)))).flat().sort();
    for (const key of keys) {
      const type = await redis.type(key);
      out[key] = type === 'hash' ? await redis.hgetall(key) : type === 'stream' ? await redis.xlen(key) : await redis.zcard(key);
    }
    return out;
  }

  async function refused(call: () => Promise<unknown>, field: string): Promise<void> {
    const before = await state();
    await assert.rejects(call, (err: unknown) => {
      assert.ok(err instanceof InvalidStockRequestError && err instanceof InvalidArgumentError, String(err));
      assert.equal(err.field, field);
      assert.ok(err.message.startsWith(`${field}: `));
      return true;
    });
    assert.deepEqual(await state(), before, 'nothing changed');
  }

  const cases: Array<[string, Partial<ReserveRequest> | (() => ReserveRequest), string]> = [
    ['empty order id', { orderId: '' }, 'order_id'],
    ['order id with a space', { orderId: 'o 1' }, 'order_id'],
    ['order id of 129 characters', { orderId: 'o'.repeat(129) }, 'order_id'],
    ['empty user id', { userId: '' }, 'user_id'],
    ['no lines', { lines: [] }, 'lines'],
    ['too many lines', { lines: Array.from({ length: 6 }, (_, i) => ({ sku: `S-${i}`, qty: 1 })) }, 'lines'],
    ['empty product id', { lines: [{ sku: '', qty: 1 }] }, 'lines[0].product_id'],
    ['product id with a separator', { lines: [{ sku: 'SKU-1', qty: 1 }, { sku: 'a,b', qty: 1 }] }, 'lines[1].product_id'],
    ['product id with braces', { lines: [{ sku: '{x}', qty: 1 }] }, 'lines[0].product_id'],
    ['quantity 0', { lines: [{ sku: 'SKU-1', qty: 0 }] }, 'lines[0].quantity'],
    ['negative quantity', { lines: [{ sku: 'SKU-1', qty: -1 }] }, 'lines[0].quantity'],
    ['fractional quantity', { lines: [{ sku: 'SKU-1', qty: 1.5 }] }, 'lines[0].quantity'],
    ['absurd quantity', { lines: [{ sku: 'SKU-2', qty: 1e9 }] }, 'lines[0].quantity'],
    ['a repeated product', { lines: [{ sku: 'SKU-1', qty: 1 }, { sku: 'SKU-2', qty: 1 }, { sku: 'SKU-1', qty: 1 }] }, 'lines[2].product_id'],
    ['empty payload', { orderPayload: '' }, 'order_payload'],
    ['oversized payload', { orderPayload: 'x'.repeat(64 * 1024 + 1) }, 'order_payload'],
    ['trace context not a map', () => ({ ...good(), traceContext: 'x' as unknown as Record<string, string> }), 'trace_context'],
  ];
  for (const [name, over, field] of cases) {
    it(`reserve: ${name} → ${field}`, () => refused(() => svc.reserve(typeof over === 'function' ? over() : good(over)), field));
  }

  it('a replayed order id with bad input is refused too (validation comes before the record)', () =>
    refused(() => svc.reserve(good({ orderId: 'ok-1', lines: [{ sku: 'SKU-1', qty: 0 }] })), 'lines[0].quantity'));

  it('release: empty order id → order_id', () => refused(() => svc.release('', 'CANCELLED'), 'order_id'));
  it('release: bad reason → reason', () => refused(() => svc.release('ok-1', 'no spaces please'), 'reason'));
  it('release: bad hint → product_ids[0]', () => refused(() => svc.release('ok-1', 'CANCELLED', { skus: ['a:b'] }), 'product_ids[0]'));
  it('warm-up: no products → product_ids', () => refused(() => svc.warmUp([], figures({})), 'product_ids'));
  it('warm-up: a repeated product → product_ids[1]', () =>
    refused(() => svc.warmUp(['SKU-1', 'SKU-1'], figures({})), 'product_ids[1]'));
  it('warm-up: a negative MySQL figure → stock[SKU-9], nothing loaded', () =>
    refused(() => svc.warmUp(['SKU-9'], figures({ 'SKU-9': { stock: -1 } })), 'stock[SKU-9]'));
  it('get stock: empty product id → product_id', () => refused(() => svc.getStock(''), 'product_id'));

  it('an unknown product is NOT_WARMED and leaves no record, so it can be retried', async () => {
    const before = await state();
    // an unknown product on the same shard as a known one: one script, refused before any write
    let nope = 'NOPE-0';
    for (let n = 1; svc.keys.shardOf(nope) !== svc.keys.shardOf('SKU-1'); n++) nope = `NOPE-${n}`;
    assert.deepEqual(await svc.reserve(good({ orderId: 'o-nw', lines: [{ sku: 'SKU-1', qty: 1 }, { sku: nope, qty: 1 }] })), {
      kind: 'NOT_WARMED',
      line: 1,
      sku: nope,
    });
    assert.deepEqual(await state(), before);
    assert.deepEqual(await svc.getStock('NOPE'), { sku: 'NOPE', shard: svc.keys.shardOf('NOPE'), warmed: false });
  });
});
