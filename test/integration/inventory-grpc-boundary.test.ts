// shop.v1.InventoryService over a real gRPC server (port 0) on real Redis + MariaDB: bad input gets
// exact codes naming the field and changes nothing; admin RPCs need the token; Reserve → Release
// round trip; GetStock shows Redis and MySQL side by side; the order payload reaches the stream whole.
import assert from 'node:assert/strict';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { OrderSource, ReleaseReason, type OrderDraft, type OrderLine } from '../../src/gen/shop/v1/common';
import {
  InventoryServiceClient,
  InventoryServiceService,
  ReleaseOutcome,
  ReserveOutcome,
  WarmUpOutcome,
} from '../../src/gen/shop/v1/inventory';
import { systemClock } from '../../src/platform/clock';
import { createGrpcClient, unary, type CallOptions } from '../../src/platform/grpc-client';
import type { RedisClient } from '../../src/platform/redis';
import { decodeOrderPayload } from '../../src/services/productcatalog/inventory/order-payload';
import { SEED_ITEMS, type SeedItem } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { parseOrderCreated } from '../../src/services/productcatalog/stock';
import { createProductCatalogParts, type ProductCatalogParts } from '../../src/services/productcatalog/wiring';
import { uniqueId } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';

const ADMIN_TOKEN = 'test-admin-token-0123456789';
const ADMIN: CallOptions = { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } };

/** Extra items: a scarce one, and one that is never warmed. */
const SCARCE: SeedItem = {
  product: { ...SEED_ITEMS[0]!.product, id: 'TEST-SCARCE-1', name: 'Scarce' },
  stock: 3,
  perUserLimit: 0,
  flashSale: false,
};
const COLD: SeedItem = { ...SCARCE, product: { ...SCARCE.product, id: 'TEST-COLD-1', name: 'Cold' }, stock: 10 };
const LAST: SeedItem = { ...SCARCE, product: { ...SCARCE.product, id: 'TEST-LAST-1', name: 'Last one' }, stock: 1 };

type Client = InventoryServiceClient;

describe('inventory gRPC boundary (shop.v1.InventoryService)', function () {
  const tdb = useTestDatabase();
  let redis: RedisClient;
  let ns: string;
  let parts: ProductCatalogParts;
  let server: TestServer;
  let client: Client;
  let rpc: {
    warmUp: ReturnType<typeof unary<Client, 'warmUp'>>;
    reserve: ReturnType<typeof unary<Client, 'reserve'>>;
    release: ReturnType<typeof unary<Client, 'release'>>;
    getStock: ReturnType<typeof unary<Client, 'getStock'>>;
    configureItem: ReturnType<typeof unary<Client, 'configureItem'>>;
  };

  function bind(c: Client) {
    const o = { defaultDeadlineMs: 10_000 };
    return {
      warmUp: unary(c, 'warmUp', o),
      reserve: unary(c, 'reserve', o),
      release: unary(c, 'release', o),
      getStock: unary(c, 'getStock', o),
      configureItem: unary(c, 'configureItem', o),
    };
  }

  function build(adminToken: string): ProductCatalogParts {
    return createProductCatalogParts({
      redis,
      db: tdb.current.db,
      clock: systemClock,
      logger: testLogger('inventory'),
      adminToken,
      catalogSettings: { keyPrefix: `test:${ns}:catalog` },
      stockSettings: { namespace: ns },
    });
  }

  before(async () => {
    redis = await createTestRedis('inventory-grpc-test');
    ns = uniqueId('inv');
    await seedProducts(tdb.current.db, [...SEED_ITEMS, SCARCE, COLD, LAST], { reset: false, saleStartsAt: new Date(), overrideSaleStart: false });
    parts = build(ADMIN_TOKEN);
    server = await startTestServer(s => s.add(InventoryServiceService, parts.inventoryHandlers));
    client = createGrpcClient(InventoryServiceClient, server.address);
    rpc = bind(client);
    const warmed = await rpc.warmUp({ productIds: [...SEED_ITEMS.map(i => i.product.id), SCARCE.product.id, LAST.product.id] }, ADMIN);
    assert.ok(warmed.results.every(r => r.outcome === WarmUpOutcome.WARM_UP_OUTCOME_WARMED), JSON.stringify(warmed.results, (_, v) => (typeof v === 'bigint' ? Number(v) : v)));
  });

  after(async () => {
    client?.close();
    await server?.stop();
    if (redis) {
      await deleteKeys(redis, `{${ns}:`);
      await deleteKeys(redis, `test:${ns}:`);
      await closeRedis(redis);
    }
  });

  const failure = async (p: Promise<unknown>): Promise<ServiceError> => {
    try {
      await p;
    } catch (err) {
      return err as ServiceError;
    }
    assert.fail('expected the call to fail');
  };

  const line = (productId: string, quantity: number): OrderLine => ({
    productId,
    quantity,
    unitCost: { currencyCode: 'EUR', units: 17n, nanos: 680_000_000 },
  });

  function draft(items: OrderLine[], overrides: Partial<OrderDraft> = {}): OrderDraft {
    return {
      orderId: uniqueId('order'),
      userId: uniqueId('user'),
      source: OrderSource.ORDER_SOURCE_PLACE_ORDER,
      userCurrency: 'EUR',
      email: 'someone@example.com',
      shippingAddress: { streetAddress: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 },
      items,
      shippingCost: { currencyCode: 'EUR', units: 7n, nanos: 950_000_000 },
      total: { currencyCode: 'EUR', units: 43n, nanos: 310_000_000 },
      createdAt: new Date('2026-11-21T10:00:00.000Z'),
      expiresAt: new Date('2026-11-21T10:30:00.000Z'),
      idempotencyKey: uniqueId('idem'),
      ...overrides,
    };
  }

  async function streamLengths(): Promise<number> {
    let total = 0;
    for (const shard of parts.stock.keys.allShards()) {
      total += await redis.xlen(parts.stock.keys.ordersStream(shard));
      total += await redis.xlen(parts.stock.keys.stockStream(shard));
    }
    return total;
  }

  async function redisStocks(ids: readonly string[]): Promise<number[]> {
    return Promise.all(ids.map(async id => {
      const l = await parts.stock.getStock(id);
      return l.warmed ? l.stock : -1;
    }));
  }

  describe('admin credential', () => {
    it('WarmUp, Release and ConfigureItem without a token are UNAUTHENTICATED; a wrong token too', async () => {
      const wrong: CallOptions = { metadata: { authorization: 'Bearer not-the-token' } };
      for (const opts of [{}, wrong]) {
        assert.equal((await failure(rpc.warmUp({ productIds: ['OLJCESPC7Z'] }, opts))).code, status.UNAUTHENTICATED);
        assert.equal((await failure(rpc.release({ orderId: 'o', reason: ReleaseReason.RELEASE_REASON_ADMIN, note: '' }, opts))).code, status.UNAUTHENTICATED);
        const cfg = { config: { productId: 'OLJCESPC7Z', limitPerUser: 5, flashSale: false, saleStartsAt: undefined, saleEndsAt: undefined } };
        assert.equal((await failure(rpc.configureItem(cfg, opts))).code, status.UNAUTHENTICATED);
      }
      const err = await failure(rpc.warmUp({ productIds: ['OLJCESPC7Z'] }, wrong));
      assert.ok(!err.details.includes('not-the-token') && !err.details.includes(ADMIN_TOKEN));
    });

    it('a server without ADMIN_TOKEN refuses admin RPCs even with a token (PERMISSION_DENIED)', async () => {
      const locked = build('');
      const s = await startTestServer(x => x.add(InventoryServiceService, locked.inventoryHandlers));
      const c = createGrpcClient(InventoryServiceClient, s.address);
      try {
        const r = bind(c);
        assert.equal((await failure(r.warmUp({ productIds: ['OLJCESPC7Z'] }, ADMIN))).code, status.PERMISSION_DENIED);
        assert.equal((await failure(r.release({ orderId: 'o', reason: ReleaseReason.RELEASE_REASON_ADMIN, note: '' }, ADMIN))).code, status.PERMISSION_DENIED);
        assert.equal((await failure(r.warmUp({ productIds: ['OLJCESPC7Z'] }, { metadata: { authorization: 'Bearer ' } }))).code, status.PERMISSION_DENIED);
      } finally {
        c.close();
        await s.stop();
      }
    });
  });

  describe('Reserve: bad input', () => {
    const ids = ['OLJCESPC7Z', '66VCHSJNUP', 'LS4PSXUNUM'];
    const good = () => [line('OLJCESPC7Z', 1), line('66VCHSJNUP', 1)];
    const cases: Array<[string, () => OrderDraft | undefined, status, RegExp]> = [
      ['no order', () => undefined, status.INVALID_ARGUMENT, /^order: /],
      ['empty order_id', () => draft(good(), { orderId: '' }), status.INVALID_ARGUMENT, /^order\.order_id: /],
      ['65-character order_id', () => draft(good(), { orderId: 'o'.repeat(65) }), status.INVALID_ARGUMENT, /^order\.order_id: /],
      ['empty user_id', () => draft(good(), { userId: '' }), status.INVALID_ARGUMENT, /^order\.user_id: /],
      ['no lines', () => draft([]), status.INVALID_ARGUMENT, /^order\.items: /],
      ['51 lines', () => draft(Array.from({ length: 51 }, (_, i) => line(`P${i}`, 1))), status.INVALID_ARGUMENT, /^order\.items: /],
      ['quantity 0', () => draft([...good(), line('LS4PSXUNUM', 0)]), status.INVALID_ARGUMENT, /^order\.items\[2\]\.quantity: /],
      ['negative quantity', () => draft([...good(), line('LS4PSXUNUM', -5)]), status.INVALID_ARGUMENT, /^order\.items\[2\]\.quantity: /],
      ['absurd quantity', () => draft([...good(), line('LS4PSXUNUM', 1001)]), status.INVALID_ARGUMENT, /^order\.items\[2\]\.quantity: /],
      ['empty product_id', () => draft([line('', 1)]), status.INVALID_ARGUMENT, /^order\.items\[0\]\.product_id: /],
      ['repeated product', () => draft([line('OLJCESPC7Z', 1), line('OLJCESPC7Z', 1)]), status.INVALID_ARGUMENT, /^order\.items\[1\]\.product_id: /],
      ['unknown product', () => draft([...good(), line('NO-SUCH-PRODUCT', 1)]), status.NOT_FOUND, /^order\.items\[2\]\.product_id: no product with ID NO-SUCH-PRODUCT$/],
    ];

    for (const [name, make, code, details] of cases) {
      it(`${name} → ${status[code]} naming the field; nothing changes`, async () => {
        const before = await redisStocks(ids);
        const streams = await streamLengths();
        const err = await failure(rpc.reserve({ order: make() }));
        assert.equal(err.code, code, err.details);
        assert.match(err.details, details);
        assert.deepEqual(await redisStocks(ids), before);
        assert.equal(await streamLengths(), streams);
      });
    }
  });

  describe('Reserve → Release round trip', () => {
    it('reserves, replays as DUPLICATE, shows the change in GetStock, releases once', async () => {
      const d = draft([line('OLJCESPC7Z', 2), line('LS4PSXUNUM', 1)]);
      const [sunBefore, saltBefore] = await redisStocks(['OLJCESPC7Z', 'LS4PSXUNUM']);

      const first = await rpc.reserve({ order: d });
      assert.equal(first.outcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
      assert.equal(first.orderId, d.orderId);
      assert.ok(first.reservedAt instanceof Date);
      assert.deepEqual(await redisStocks(['OLJCESPC7Z', 'LS4PSXUNUM']), [sunBefore! - 2, saltBefore! - 1]);

      const replay = await rpc.reserve({ order: d });
      assert.equal(replay.outcome, ReserveOutcome.RESERVE_OUTCOME_DUPLICATE);
      assert.equal(replay.firstOutcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
      assert.equal(replay.released, false);
      assert.deepEqual(await redisStocks(['OLJCESPC7Z', 'LS4PSXUNUM']), [sunBefore! - 2, saltBefore! - 1]);

      const info = await rpc.getStock({ productId: 'OLJCESPC7Z' });
      assert.equal(info.warmed, true);
      assert.equal(info.redisStock, BigInt(sunBefore! - 2));
      assert.equal(info.mysqlStock, 1000n, 'no write-behind worker runs in this test');
      assert.equal(info.pendingDelta, info.redisStock - info.mysqlStock);
      assert.equal(info.config?.productId, 'OLJCESPC7Z');
      assert.ok(info.readAt instanceof Date);

      // Live stock with un-applied changes is never overwritten from MySQL.
      const refused = await failure(rpc.warmUp({ productIds: ['66VCHSJNUP', 'OLJCESPC7Z'] }, ADMIN));
      assert.equal(refused.code, status.FAILED_PRECONDITION);
      assert.match(refused.details, /product_ids\[1\] OLJCESPC7Z/);
      assert.equal((await rpc.getStock({ productId: 'OLJCESPC7Z' })).redisStock, BigInt(sunBefore! - 2));

      const released = await rpc.release({ orderId: d.orderId, reason: ReleaseReason.RELEASE_REASON_PAYMENT_DECLINED, note: 'card declined' }, ADMIN);
      assert.equal(released.outcome, ReleaseOutcome.RELEASE_OUTCOME_RELEASED);
      assert.deepEqual(
        released.lines.map(l => [l.productId, l.delta, l.stockAfter]).sort(),
        [['LS4PSXUNUM', 1n, BigInt(saltBefore!)], ['OLJCESPC7Z', 2n, BigInt(sunBefore!)]],
      );
      assert.deepEqual(await redisStocks(['OLJCESPC7Z', 'LS4PSXUNUM']), [sunBefore, saltBefore]);

      const again = await rpc.release({ orderId: d.orderId, reason: ReleaseReason.RELEASE_REASON_PAYMENT_DECLINED, note: '' }, ADMIN);
      assert.equal(again.outcome, ReleaseOutcome.RELEASE_OUTCOME_ALREADY_RELEASED);
      assert.deepEqual(await redisStocks(['OLJCESPC7Z', 'LS4PSXUNUM']), [sunBefore, saltBefore]);

      const afterRelease = await rpc.reserve({ order: d });
      assert.equal(afterRelease.outcome, ReserveOutcome.RESERVE_OUTCOME_DUPLICATE);
      assert.equal(afterRelease.released, true);
      assert.deepEqual(await redisStocks(['OLJCESPC7Z', 'LS4PSXUNUM']), [sunBefore, saltBefore]);
    });

    it('the order-created record carries the whole draft', async () => {
      const d = draft([line('9SIQT8TOJO', 1)], { email: 'buyer@example.com', idempotencyKey: 'idem-xyz' });
      const md = new Metadata();
      md.set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      assert.equal((await rpc.reserve({ order: d }, { metadata: md })).outcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
      const stream = parts.stock.keys.ordersStream(parts.stock.keys.shardOf('9SIQT8TOJO'));
      const entries = await redis.xrange(stream, '-', '+');
      const records = entries.map(([id, fields]) => parseOrderCreated(id, fields)).filter(r => r.orderId === d.orderId);
      assert.equal(records.length, 1);
      const created = decodeOrderPayload(records[0]!.payload);
      assert.deepEqual(created.order, d);
      assert.ok(created.reservedAt instanceof Date);
      assert.equal(created.traceContext.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
      assert.equal(records[0]!.trace.traceparent, created.traceContext.traceparent);
    });

    it('Release of an unknown order is UNKNOWN_ORDER; an unspecified reason is INVALID_ARGUMENT', async () => {
      const unknown = await rpc.release({ orderId: uniqueId('never'), reason: ReleaseReason.RELEASE_REASON_ADMIN, note: '' }, ADMIN);
      assert.equal(unknown.outcome, ReleaseOutcome.RELEASE_OUTCOME_UNKNOWN_ORDER);
      const err = await failure(rpc.release({ orderId: 'x', reason: ReleaseReason.RELEASE_REASON_UNSPECIFIED, note: '' }, ADMIN));
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.details, /^reason: /);
      const empty = await failure(rpc.release({ orderId: '', reason: ReleaseReason.RELEASE_REASON_ADMIN, note: '' }, ADMIN));
      assert.equal(empty.code, status.INVALID_ARGUMENT);
      assert.match(empty.details, /^order_id: /);
    });
  });

  describe('Reserve refusals are answers, not errors', () => {
    it('SOLD_OUT names the line and what is left; nothing changes', async () => {
      const [left] = await redisStocks([SCARCE.product.id]);
      const r = await rpc.reserve({ order: draft([line('6E92ZMYYFZ', 1), line(SCARCE.product.id, left! + 1)]) });
      assert.equal(r.outcome, ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT);
      assert.equal(r.refusedLine?.lineIndex, 1);
      assert.equal(r.refusedLine?.productId, SCARCE.product.id);
      assert.equal(r.refusedLine?.requested, left! + 1);
      assert.equal(r.refusedLine?.available, BigInt(left!));
      assert.deepEqual(await redisStocks([SCARCE.product.id]), [left]);
    });

    it('LIMIT_EXCEEDED once a user holds the per-user limit of a flash-sale item', async () => {
      const user = uniqueId('flash-user');
      const ok = await rpc.reserve({ order: draft([line('FLASH-SUNGLASSES-001', 2)], { userId: user }) });
      assert.equal(ok.outcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
      const over = await rpc.reserve({ order: draft([line('FLASH-SUNGLASSES-001', 1)], { userId: user }) });
      assert.equal(over.outcome, ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED);
      assert.equal(over.refusedLine?.limitPerUser, 2);
      assert.equal(over.refusedLine?.alreadyBought, 2);
    });

    it('a retried call (grpc-previous-rpc-attempts) that took the last unit gets DUPLICATE, not the sold-out fast path', async () => {
      const d = draft([line(LAST.product.id, 1)]);
      assert.equal((await rpc.reserve({ order: d })).outcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
      assert.equal((await rpc.getStock({ productId: LAST.product.id })).soldOutFlag, true);
      const md = new Metadata();
      md.set('grpc-previous-rpc-attempts', '1');
      const retried = await rpc.reserve({ order: d }, { metadata: md });
      assert.equal(retried.outcome, ReserveOutcome.RESERVE_OUTCOME_DUPLICATE);
      assert.equal(retried.firstOutcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
      const other = await rpc.reserve({ order: draft([line(LAST.product.id, 1)]) });
      assert.equal(other.outcome, ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT);
      assert.equal(other.refusedLine?.available, 0n);
    });

    it('NOT_WARMED for a known product whose stock is not in Redis', async () => {
      const r = await rpc.reserve({ order: draft([line('6E92ZMYYFZ', 1), line(COLD.product.id, 1)]) });
      assert.equal(r.outcome, ReserveOutcome.RESERVE_OUTCOME_NOT_WARMED);
      assert.equal(r.refusedLine?.lineIndex, 1);
      assert.equal(r.refusedLine?.productId, COLD.product.id);
    });
  });

  describe('WarmUp and GetStock', () => {
    it('WarmUp reports unknown products per item and rejects bad ids naming them', async () => {
      const res = await rpc.warmUp({ productIds: [COLD.product.id, 'NO-SUCH-PRODUCT'] }, ADMIN);
      assert.deepEqual(
        res.results.map(r => [r.productId, r.outcome, r.stock]),
        [[COLD.product.id, WarmUpOutcome.WARM_UP_OUTCOME_WARMED, 10n], ['NO-SUCH-PRODUCT', WarmUpOutcome.WARM_UP_OUTCOME_NOT_FOUND, 0n]],
      );
      const err = await failure(rpc.warmUp({ productIds: ['OLJCESPC7Z', ''] }, ADMIN));
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.details, /^product_ids\[1\]: /);
      assert.equal((await failure(rpc.warmUp({ productIds: [] }, ADMIN))).code, status.INVALID_ARGUMENT);
    });

    it('GetStock: Redis and MySQL side by side; NOT_FOUND for an unknown id; INVALID_ARGUMENT for none', async () => {
      const info = await rpc.getStock({ productId: '2ZYFJ3GM2N' });
      assert.deepEqual([info.warmed, info.redisStock, info.mysqlStock, info.pendingDelta], [true, 1000n, 1000n, 0n]);
      assert.equal(info.soldOutFlag, false);
      const flash = await rpc.getStock({ productId: 'FLASH-WATCH-001' });
      assert.equal(flash.config?.flashSale, true);
      assert.equal(flash.config?.limitPerUser, 2);
      const missing = await failure(rpc.getStock({ productId: 'NO-SUCH-PRODUCT' }));
      assert.equal(missing.code, status.NOT_FOUND);
      assert.equal(missing.details, 'no product with ID NO-SUCH-PRODUCT');
      const empty = await failure(rpc.getStock({ productId: '' }));
      assert.equal(empty.code, status.INVALID_ARGUMENT);
      assert.match(empty.details, /^product_id: /);
    });

    it('ConfigureItem replaces the sale settings (effective in Redis at the next WarmUp)', async () => {
      const starts = new Date('2026-12-24T18:00:00.000Z');
      const cfg = await rpc.configureItem({ config: { productId: '0PUK6V6EV0', limitPerUser: 3, flashSale: true, saleStartsAt: starts, saleEndsAt: undefined } }, ADMIN);
      assert.deepEqual([cfg.limitPerUser, cfg.flashSale, cfg.saleStartsAt], [3, true, starts]);
      const warmed = await rpc.warmUp({ productIds: ['0PUK6V6EV0'] }, ADMIN);
      assert.equal(warmed.results[0]?.outcome, WarmUpOutcome.WARM_UP_OUTCOME_WARMED);
      const level = await parts.stock.getStock('0PUK6V6EV0');
      assert.ok(level.warmed && level.limit === 3);
      const missing = await failure(rpc.configureItem({ config: { productId: 'NO-SUCH-PRODUCT', limitPerUser: 0, flashSale: false, saleStartsAt: undefined, saleEndsAt: undefined } }, ADMIN));
      assert.equal(missing.code, status.NOT_FOUND);
      const negative = await failure(rpc.configureItem({ config: { productId: '0PUK6V6EV0', limitPerUser: -1, flashSale: false, saleStartsAt: undefined, saleEndsAt: undefined } }, ADMIN));
      assert.equal(negative.code, status.INVALID_ARGUMENT);
      assert.match(negative.details, /^config\.limit_per_user: /);
    });
  });
});
