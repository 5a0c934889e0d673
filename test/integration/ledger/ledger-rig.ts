// A small real sale for the ledger suites: real Redis (fresh stock namespace), a migrated throwaway
// MariaDB, the real Reserve script and the real write-behind worker. The forwarder → RocketMQ →
// creation consumer hop is replaced by `persistAccepted`, which reads the orders streams as the
// forwarder group and inserts through the order repo's insertBatch exactly as the creation consumer
// does (same decoding, same draft validation). The binlog stage is simulated by calling
// recordBinlogOrderInsert for every inserted row, unless `binlog: 'real'` (the real CDC worker records it:
// ledger-reconcile-cdc.test.ts).
import { sql } from 'drizzle-orm';
import { OrderSource, type OrderDraft } from '../../../src/gen/shop/v1/common';
import { systemClock } from '../../../src/platform/clock';
import type { Db } from '../../../src/platform/db';
import { createLedgerChecker, type LedgerChecker, type LedgerSettings } from '../../../src/services/ledger';
import { createAcceptedObserver, type AcceptedObserver } from '../../../src/services/ledger/accepted-observer';
import { recordBinlogOrderInsert } from '../../../src/services/ledger/reconciliation-counters';
import { decodeOrderCreatedBody, orderFromDraft } from '../../../src/services/order/draft';
import { createOrderRepo, type OrderRepo } from '../../../src/services/order/order-repo';
import { encodeOrderPayload } from '../../../src/services/productcatalog/inventory/order-payload';
import { parseOrderCreated, type StockService } from '../../../src/services/productcatalog/stock';
import { ORDER_FORWARDER_GROUP, STOCK_WRITER_GROUP, startStockWorkers, type StockWorkers } from '../../../src/services/productcatalog/workers';
import { orderBodyFromPayload } from '../../../src/services/productcatalog/workers/order-body';
import { readGroupEntries } from '../../../src/services/productcatalog/workers/stream-entries';
import { ensureGroup } from '../../../src/services/productcatalog/workers/stream-group';
import { testLogger } from '../../support/test-logger';
import { deleteKeys } from '../../support/test-redis';
import { seedProducts, stockRig, warmFromMysql, type StockRig } from '../stock-writer-harness';

export interface LedgerRig {
  readonly rig: StockRig;
  readonly db: Db;
  readonly repo: OrderRepo;
  readonly workers: StockWorkers;
  readonly observer: AcceptedObserver;
  checker(overrides?: Partial<LedgerSettings>): LedgerChecker;
  settings(overrides?: Partial<LedgerSettings>): LedgerSettings;
  reserve(orderId: string, userId: string, lines: readonly { sku: string; qty: number }[]): Promise<string>;
  /** Forwarder + creation consumer stand-in; returns the ids inserted. */
  persistAccepted(opts?: { skip?: ReadonlySet<string>; binlog?: 'simulate' | 'real' }): Promise<string[]>;
  cancel(orderId: string): Promise<void>;
  pay(orderId: string): Promise<void>;
  close(): Promise<void>;
}

function draftOf(orderId: string, userId: string, lines: readonly { sku: string; qty: number }[], now: number): OrderDraft {
  const items = lines.map(l => ({ productId: l.sku, quantity: l.qty, unitCost: { currencyCode: 'USD', units: 10n, nanos: 0 } }));
  const units = 5n + items.reduce((n, it) => n + 10n * BigInt(it.quantity), 0n);
  return {
    orderId,
    userId,
    source: OrderSource.ORDER_SOURCE_FLASH_SALE,
    userCurrency: 'USD',
    email: `${userId}@example.com`,
    shippingAddress: { streetAddress: '1 Main Street', city: 'Zürich', state: 'ZH', country: 'Switzerland', zipCode: 8000 },
    items,
    shippingCost: { currencyCode: 'USD', units: 5n, nanos: 0 },
    total: { currencyCode: 'USD', units, nanos: 0 },
    createdAt: new Date(now),
    expiresAt: new Date(now + 30 * 60_000),
    idempotencyKey: '',
  };
}

export async function startLedgerRig(db: Db, products: Record<string, { stock: number; limit?: number }>): Promise<LedgerRig> {
  const rig = await stockRig(4);
  const { redis, stock, namespace } = rig;
  await seedProducts(db, Object.fromEntries(Object.entries(products).map(([sku, p]) => [sku, p.stock])));
  for (const [sku, p] of Object.entries(products)) if (p.limit) await db.execute(sql`UPDATE products SET per_user_limit = ${p.limit} WHERE id = ${sku}`);
  await warmFromMysql(stock, db, Object.keys(products));
  const workers = await startStockWorkers({
    run: { writer: true, forwarder: false, trimmer: false },
    redis,
    openBlocking: name => rig.openBlocking(name),
    stock,
    clock: systemClock,
    logger: testLogger('stock-workers'),
    db,
    settings: { writer: { blockMs: 200 } },
  });
  const repo = createOrderRepo(db, systemClock);
  const observer = createAcceptedObserver({ redis, keys: stock.keys, reconNamespace: namespace });
  const settings = (o: Partial<LedgerSettings> = {}): LedgerSettings => ({
    windowMs: 3_600_000,
    graceMs: 60_000,
    recordTtlMs: stock.settings.recordTtlMs,
    createdTopic: 'order-created',
    groups: { forwarder: ORDER_FORWARDER_GROUP, writer: STOCK_WRITER_GROUP },
    reconNamespace: namespace,
    binlogStage: true,
    ...o,
  });
  return {
    rig,
    db,
    repo,
    workers,
    observer,
    settings,
    checker: o => createLedgerChecker({ redis, db, keys: stock.keys, settings: settings(o), clock: systemClock, logger: testLogger('ledger') }),
    async reserve(orderId, userId, lines) {
      const now = Date.now();
      const payload = encodeOrderPayload(draftOf(orderId, userId, lines, now), new Date(now), {});
      const out = await stock.reserve({ orderId, userId, lines, orderPayload: payload, traceContext: {} });
      return out.kind;
    },
    async persistAccepted(opts = {}) {
      const inserted: string[] = [];
      for (const shard of stock.keys.allShards()) {
        const stream = stock.keys.ordersStream(shard);
        await ensureGroup(redis, stream, ORDER_FORWARDER_GROUP);
        for (;;) {
          const entries = readGroupEntries(await redis.xreadgroup('GROUP', ORDER_FORWARDER_GROUP, 'ledger-test', 'COUNT', 100, 'STREAMS', stream, '>'));
          if (entries.length === 0) break;
          const orders = entries
            .map(e => parseOrderCreated(e.id, e.fields))
            .filter(r => !opts.skip?.has(r.orderId))
            .map(r => {
              const created = decodeOrderCreatedBody(orderBodyFromPayload(r.payload));
              return orderFromDraft(created.order, created.reservedAt);
            });
          if (orders.length > 0) {
            const r = await repo.insertBatch(orders);
            for (const o of orders.filter(x => r.inserted.includes(x.orderId))) {
              if (opts.binlog !== 'real') await recordBinlogOrderInsert(redis, o.orderId, (o.reservedAt ?? o.createdAt).getTime(), { namespace });
              inserted.push(o.orderId);
            }
          }
          await redis.xack(stream, ORDER_FORWARDER_GROUP, ...entries.map(e => e.id));
        }
      }
      return inserted;
    },
    async cancel(orderId) {
      const t = await repo.transition(orderId, 'CANCELLED', { reason: 'payment timeout' });
      if (t.kind !== 'applied') throw new Error(`cancel ${orderId}: ${t.kind}`);
      const r = await stock.release(orderId, 'PAYMENT_TIMEOUT');
      if (r.kind !== 'RELEASED') throw new Error(`release ${orderId}: ${r.kind}`);
      await repo.markStockReleased(orderId, new Date());
    },
    async pay(orderId) {
      const t = await repo.transition(orderId, 'PAID', { transactionId: `tx-${orderId}` });
      if (t.kind !== 'applied') throw new Error(`pay ${orderId}: ${t.kind}`);
    },
    async close() {
      await workers.stop();
      await deleteKeys(redis, `{${namespace}:recon}`);
      await rig.cleanup();
    },
  };
}

export type { StockService };
