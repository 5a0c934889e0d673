// Cancellation as a RocketMQ transactional message, on the real stack (MariaDB, Redis, RocketMQ with
// transactionCheckInterval 5 s, InventoryService over gRPC): the cancel path runs in a CHILD process
// that SIGKILLs itself (a) after the local commit, before the half message is committed, and (b) after
// the half message, before its local transaction. A restarted child (fresh producer + release
// consumer) answers the broker's check-backs from the database: (a) commit → stock released exactly
// once (Redis stock, stock-change records, Release outcomes and deliveries counted); (b) rollback →
// the message is never delivered and nothing is released. Reverse case in-process: a payment commits
// between the half message and the UPDATE → the half message is rolled back, nothing released.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { OrderSource, ReleaseReason, type OrderDraft } from '../../../src/gen/shop/v1/common';
import { InventoryServiceClient, InventoryServiceService, ReserveOutcome, WarmUpOutcome } from '../../../src/gen/shop/v1/inventory';
import { systemClock } from '../../../src/platform/clock';
import { createGrpcClient, unary } from '../../../src/platform/grpc-client';
import type { MqTransactionResult } from '../../../src/platform/mq';
import type { RedisClient } from '../../../src/platform/redis';
import { cancelOrder, type CancelOrderDeps } from '../../../src/services/order/cancel-order';
import { createInventoryReleaser } from '../../../src/services/order/clients/inventory-releaser';
import { orderFromDraft } from '../../../src/services/order/draft';
import { createOrderRepo, type OrderRepo } from '../../../src/services/order/order-repo';
import { SEED_ITEMS, type SeedItem } from '../../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../../src/services/productcatalog/seed/seed-products';
import { createProductCatalogParts, type ProductCatalogParts } from '../../../src/services/productcatalog/wiring';
import { uniqueId } from '../../support/ids';
import { useTestDatabase } from '../../support/test-database';
import { testLogger } from '../../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../../support/test-redis';
import { startTestServer, type TestServer } from '../../support/test-server';
import type { CancelChildSpec } from './cancel-tx-child';
import { startCancelTx, TX_TOPIC, type CancelTxFixture } from './cancel-tx-fixture';

const ADMIN_TOKEN = 'cancel-tx-test-admin-token';
const ITEM: SeedItem = { product: { ...SEED_ITEMS[0]!.product, id: 'CANCEL-TX-1', name: 'Cancel tx item' }, stock: 100, perUserLimit: 0, flashSale: false };
const logger = testLogger('cancel-tx');

type Report = Record<string, unknown> & { type: string };

interface Child {
  readonly process: ChildProcess;
  readonly reports: Report[];
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnChild(spec: CancelChildSpec): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', require.resolve('./cancel-tx-child.ts')], {
    env: { ...process.env, CANCEL_CHILD_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const reports: Report[] = [];
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>(resolve => (markReady = resolve));
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        const msg = JSON.parse(line) as Report;
        reports.push(msg);
        if (msg.type === 'ready') markReady();
      } catch {
        // a log line
      }
    }
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => child.once('exit', (code, signal) => resolve({ code, signal })));
  const failedEarly = exited.then(r => {
    throw new Error(`cancel child (${spec.mode}) exited before ready (${r.code ?? r.signal}): ${stderr}`);
  });
  return { process: child, reports, ready: Promise.race([ready, failedEarly]), exited };
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

describe('cancellation as a transactional message (child process killed mid-cancel, real stack)', function () {
  this.timeout(180_000);
  const tdb = useTestDatabase();
  let redis: RedisClient;
  let ns: string;
  let catalog: ProductCatalogParts;
  let server: TestServer;
  let inventoryClient: InventoryServiceClient;
  let reserve: ReturnType<typeof unary<InventoryServiceClient, 'reserve'>>;
  let repo: OrderRepo;
  // Started only in the in-process test: check-backs go to ANY live producer of the topic, and the first
  // test wants them answered by the restarted child.
  let cancelTx: CancelTxFixture | undefined;
  let service: Child | undefined;
  const group = uniqueId('GID_it_order_release');

  before(async () => {
    redis = await createTestRedis('cancel-tx-test');
    ns = uniqueId('ctx');
    await seedProducts(tdb.current.db, [ITEM], { reset: false, saleStartsAt: new Date(), overrideSaleStart: false });
    catalog = createProductCatalogParts({
      redis, db: tdb.current.db, clock: systemClock, logger, adminToken: ADMIN_TOKEN,
      catalogSettings: { keyPrefix: `test:${ns}:catalog` }, stockSettings: { namespace: ns },
    });
    server = await startTestServer(s => s.add(InventoryServiceService, catalog.inventoryHandlers));
    inventoryClient = createGrpcClient(InventoryServiceClient, server.address);
    reserve = unary(inventoryClient, 'reserve', { defaultDeadlineMs: 10_000 });
    const warmed = await unary(inventoryClient, 'warmUp', { defaultDeadlineMs: 10_000 })(
      { productIds: [ITEM.product.id] }, { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(warmed.results[0]?.outcome, WarmUpOutcome.WARM_UP_OUTCOME_WARMED);
    repo = createOrderRepo(tdb.current.db, systemClock);
  });

  after(async () => {
    if (service && service.process.exitCode === null && service.process.signalCode === null) {
      service.process.kill('SIGTERM');
      await Promise.race([service.exited, new Promise(r => setTimeout(r, 15_000))]);
      if (service.process.exitCode === null && service.process.signalCode === null) service.process.kill('SIGKILL');
    }
    await cancelTx?.stop();
    inventoryClient?.close();
    await server?.stop();
    if (redis) {
      await deleteKeys(redis, `{${ns}:`);
      await deleteKeys(redis, `test:${ns}:`);
      await closeRedis(redis);
    }
  });

  const spec = (mode: CancelChildSpec['mode'], cancel: string[]): CancelChildSpec => ({
    mode, cancel, group, topic: TX_TOPIC, mysqlUrl: tdb.current.config.mysql.url, inventoryAddr: server.address, adminToken: ADMIN_TOKEN,
  });

  /** Reserves real stock and inserts the row the way the creation consumer does. */
  async function placeOrder(quantity: number): Promise<OrderDraft> {
    const createdAt = new Date();
    const unit = ITEM.product.price!;
    const totalNanos = (unit.units * 1_000_000_000n + BigInt(unit.nanos)) * BigInt(quantity);
    const draft: OrderDraft = {
      orderId: uniqueId('ctx-order'),
      userId: uniqueId('buyer'),
      source: OrderSource.ORDER_SOURCE_FLASH_SALE,
      userCurrency: unit.currencyCode,
      email: 'buyer@example.com',
      shippingAddress: { streetAddress: '1 Test Way', city: 'Berlin', state: 'BE', country: 'Germany', zipCode: 10115 },
      items: [{ productId: ITEM.product.id, quantity, unitCost: { ...unit } }],
      shippingCost: { currencyCode: unit.currencyCode, units: 0n, nanos: 0 },
      total: { currencyCode: unit.currencyCode, units: totalNanos / 1_000_000_000n, nanos: Number(totalNanos % 1_000_000_000n) },
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 30 * 60_000),
      idempotencyKey: '',
    };
    const r = await reserve({ order: draft });
    assert.equal(r.outcome, ReserveOutcome.RESERVE_OUTCOME_RESERVED);
    await repo.insertBatch([orderFromDraft(draft, r.reservedAt ?? createdAt)]);
    return draft;
  }

  const redisStock = async (): Promise<number> => {
    const level = await catalog.stock.getStock(ITEM.product.id);
    assert.ok(level.warmed);
    return level.stock;
  };

  /** Stock-change records (the stream the write-behind applies to MySQL) that gave units of `orderId` back. */
  async function releaseRecords(orderId: string): Promise<number> {
    const keys = catalog.stock.keys;
    const entries = await redis.xrange(keys.stockStream(keys.shardOf(ITEM.product.id)), '-', '+');
    return entries.filter(([, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      return f.get('order') === orderId && f.get('reason') !== 'RESERVE';
    }).length;
  }

  const reportsOf = (type: string, orderId: string): Report[] => (service?.reports ?? []).filter(r => r.type === type && r.orderId === orderId);

  it('killed after the local commit → committed by the check-back, stock released exactly once; killed before it → rolled back, nothing released', async () => {
    const initial = await redisStock();
    const committed = await placeOrder(2);
    const neverRan = await placeOrder(3);
    const sentinel = await placeOrder(1);
    assert.equal(await redisStock(), initial - 6);

    // (a) The service dies between its local commit and the commit of the half message.
    const a = spawnChild(spec('crash-after-commit', [committed.orderId]));
    assert.deepEqual(await a.exited, { code: null, signal: 'SIGKILL' });
    const cancelledRow = await repo.getHeader(committed.orderId);
    assert.equal(cancelledRow?.status, 'CANCELLED', 'the local transaction committed');
    assert.equal(cancelledRow?.stockReleasedAt, null, 'nothing released before the check-back');
    assert.equal(await redisStock(), initial - 6);

    // (b) The service dies after sending the half message, before its local transaction.
    const b = spawnChild(spec('crash-before-local', [neverRan.orderId]));
    assert.deepEqual(await b.exited, { code: null, signal: 'SIGKILL' });
    assert.equal((await repo.getHeader(neverRan.orderId))?.status, 'PENDING_PAYMENT');

    // The restarted service: a fresh producer answers the check-backs, its release consumer works.
    service = spawnChild(spec('serve', [sentinel.orderId]));
    await service.ready;
    await waitFor('the check-backs of both half messages', () =>
      reportsOf('checked', committed.orderId).some(r => r.verdict === 'commit') && reportsOf('checked', neverRan.orderId).some(r => r.verdict === 'rollback'), 90_000);
    await waitFor('the committed cancel released', async () => (await repo.getHeader(committed.orderId))?.stockReleasedAt != null, 30_000);
    // The sentinel was cancelled after the rollback verdict was given; once its message is through, a
    // delivery of the rolled-back one would have come first or never.
    await waitFor('the sentinel delivered', () => reportsOf('delivered', sentinel.orderId).length > 0, 30_000);
    await new Promise(r => setTimeout(r, 3_000)); // room for a (wrong) redelivery

    // (a) exactly once: one delivery, one recorded release, one stock-change record, one announcement.
    assert.equal(reportsOf('checked', committed.orderId).filter(r => r.verdict !== 'commit').length, 0);
    assert.equal(reportsOf('delivered', committed.orderId).length, 1);
    assert.deepEqual(reportsOf('released', committed.orderId).map(r => r.recordedHere), [true]);
    assert.equal(await releaseRecords(committed.orderId), 1);
    assert.equal(reportsOf('event', committed.orderId).length, 1);
    // (b) never delivered, never released, still holding its stock.
    assert.equal(reportsOf('checked', neverRan.orderId).filter(r => r.verdict !== 'rollback').length, 0);
    assert.equal(reportsOf('delivered', neverRan.orderId).length, 0);
    assert.equal(await releaseRecords(neverRan.orderId), 0);
    assert.equal((await repo.getHeader(neverRan.orderId))?.stockReleasedAt, null);
    // The sentinel went the normal way: committed by its sender (no check-back), released inline.
    assert.deepEqual(reportsOf('cancel', sentinel.orderId).map(r => [r.kind, r.released]), [['cancelled', true]]);
    assert.equal(reportsOf('checked', sentinel.orderId).length, 0);
    assert.equal(await releaseRecords(sentinel.orderId), 1);

    assert.equal(await redisStock(), initial - 3, 'exactly the two committed cancels gave their stock back');
  });

  it('a payment commits between the half message and the UPDATE → the half message is rolled back, nothing released', async () => {
    assert.ok(service, 'the serving child of the previous test is running');
    const paid = await placeOrder(4);
    const sentinel = await placeOrder(1);
    cancelTx = await startCancelTx({ repo, mysqlUrl: tdb.current.config.mysql.url, logger });
    const tx = cancelTx;
    const before = await redisStock();
    const outcomes: MqTransactionResult[] = [];
    const deps: CancelOrderDeps = {
      repo,
      clock: systemClock,
      logger,
      inventory: createInventoryReleaser(inventoryClient, ADMIN_TOKEN, { defaultDeadlineMs: 10_000 }),
      tx: {
        ...tx.tx,
        producer: {
          async sendInTransaction(m, localTx) {
            const r = await tx.producer.sendInTransaction(m, localTx);
            outcomes.push(r);
            return r;
          },
        },
      },
      hooks: {
        async beforeLocalTransaction(orderId) {
          if (orderId === paid.orderId) assert.equal((await repo.transition(orderId, 'PAID', { transactionId: 'tx-race' })).kind, 'applied');
        },
      },
    };
    const r = await cancelOrder(deps, paid.orderId, { reason: 'buyer changed their mind', releaseReason: ReleaseReason.RELEASE_REASON_USER_CANCELLED });
    assert.deepEqual([r.kind, r.kind === 'refused' ? r.current : undefined], ['refused', 'PAID']);
    assert.deepEqual(outcomes.map(o => o.outcome), ['rolled_back']);

    const s = await cancelOrder(deps, sentinel.orderId, { reason: 'sentinel', releaseReason: ReleaseReason.RELEASE_REASON_USER_CANCELLED });
    assert.deepEqual([s.kind, s.kind === 'cancelled' ? s.released : undefined], ['cancelled', true]);
    await waitFor('the sentinel delivered to the release consumer', () => reportsOf('delivered', sentinel.orderId).length > 0, 30_000);

    assert.equal(reportsOf('delivered', paid.orderId).length, 0, 'the rolled-back message is never delivered');
    assert.equal(await releaseRecords(paid.orderId), 0);
    const row = await repo.getHeader(paid.orderId);
    assert.deepEqual([row?.status, row?.stockReleasedAt], ['PAID', null]);
    assert.deepEqual((await repo.history(paid.orderId)).map(e => e.to), ['PENDING_PAYMENT', 'PAID']);
    assert.equal(await redisStock(), before + 1, 'only the sentinel gave stock back');
  });
});
