// `make chaos`: during a flash sale, ONE fault at a time — kill -9 Redis, the RocketMQ proxy+broker, MariaDB,
// the order service, the productcatalog service — then restart it and drain. After each: the ledger is clean
// (no oversell, no lost or duplicate order, Redis = MySQL) and a fresh Buy and PlaceOrder succeed with no step
// beyond the restart. Runs on an isolated stack (.stack/chaos, ports + 1000); CHAOS_SHORT=1 = smaller sales (CI).
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { createPool, type Pool } from 'mysql2/promise';
import { drizzle } from 'drizzle-orm/mysql2';
import { InventoryServiceClient, WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { projectPath } from '../../src/platform/paths';
import * as schema from '../../src/db/schema';
import { SEED_ITEMS } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { CHAOS_STORES, kill9, stack, up, type InfraComponent } from './chaos-stack';
import { breaches, reservationState, snapshot, summary, waitDrained, type ItemSpec } from './ledger-check';
import { createShopClients, newSaleRecord, pool, runBuyer, runShopper, type SaleRecord, type ShopClients } from './sale-driver';
import { ADMIN_TOKEN, address, createShop, PAYMENT_WINDOW_MS, type Shop } from './shop-processes';

const SHORT = process.env.CHAOS_SHORT === '1';
const SIZE = SHORT
  ? { stock: 30, buyers: 48, shoppers: 6, concurrency: 8 }
  : { stock: 150, buyers: 240, shoppers: 24, concurrency: 16 };
/** A buyer retries transient errors this long: longer than any outage + restart (RocketMQ boots in ~30 s). */
const BUDGET_MS = 120_000;
const OUTAGE_MS = 2_000;

interface Fault {
  readonly key: string;
  readonly what: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

describe(`chaos: one fault at a time during a flash sale${SHORT ? ' (short)' : ''}`, function () {
  this.timeout(600_000);
  let shop: Shop;
  let redis: Redis;
  let mysql: Pool;
  let clients: ShopClients;
  let inventory: InstanceType<typeof InventoryServiceClient>;

  const infra = (c: InfraComponent, what: string): Fault => ({
    key: c,
    what,
    kill: async () => void (await kill9(c)),
    restart: async () => void (await up(c)),
  });
  const service = (group: 'order' | 'catalog', what: string): Fault => ({
    key: group,
    what,
    kill: () => shop.kill9(group),
    restart: () => shop.start(group),
  });
  const FAULTS: readonly Fault[] = [
    infra('redis', 'Redis (restart replays its AOF)'),
    infra('rocketmq', 'the RocketMQ namesrv and proxy+broker'),
    infra('mariadb', 'MariaDB'),
    service('order', 'the order service process'),
    service('catalog', 'the productcatalog process (forwarder, stock writer)'),
  ];

  before(async function () {
    // A clean isolated instance: data of an earlier run would mix its orders into this run's ledger.
    await stack('reset');
    await up('redis', 'mariadb', 'rocketmq');
    redis = new Redis(CHAOS_STORES.redisPort, '127.0.0.1', { maxRetriesPerRequest: 3, lazyConnect: false });
    redis.on('error', () => undefined); // reconnects by itself; outages are expected here
    mysql = createPool({ uri: CHAOS_STORES.mysqlUrl, connectionLimit: 4, supportBigNumbers: true, enableKeepAlive: true, flags: ['-FOUND_ROWS'] });
    mysql.on('connection', c => c.on('error', () => undefined));
    shop = createShop();
    await shop.start('catalog'); // applies the migrations
    await shop.start('order');
    await shop.start('front');
    clients = createShopClients();
    inventory = createGrpcClient(InventoryServiceClient, address('productCatalog'));
  });

  after(async function () {
    clients?.close();
    inventory?.close();
    await shop?.stopAll();
    redis?.disconnect();
    await mysql?.end().catch(() => undefined);
    if (process.env.CHAOS_KEEP_STACK !== '1') await stack('down');
  });

  async function seed(items: readonly ItemSpec[], flash: ReadonlySet<string>): Promise<void> {
    const base = SEED_ITEMS[0]!.product;
    const db = drizzle({ client: mysql, schema, mode: 'default' });
    await seedProducts(
      db,
      items.map(i => ({ product: { ...base, id: i.id, name: `Chaos ${i.id}` }, stock: i.stock, perUserLimit: i.limit, flashSale: flash.has(i.id) })),
      { reset: false, saleStartsAt: new Date(Date.now() - 60_000), overrideSaleStart: false },
    );
    const warmUp = unary(inventory, 'warmUp', { defaultDeadlineMs: 10_000 });
    const res = await warmUp({ productIds: items.map(i => i.id) }, { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const cold = res.results.filter(r => r.outcome !== WarmUpOutcome.WARM_UP_OUTCOME_WARMED);
    assert.equal(cold.length, 0, `warm-up refused: ${JSON.stringify(cold)}`);
  }

  /** After the restart: every order a client saw accepted still holds its reservation in Redis. */
  async function assertReservationsSurvived(record: SaleRecord): Promise<void> {
    const lost: string[] = [];
    for (const a of record.accepted.values()) {
      const state = await reservationState(redis, a.productId, a.orderId);
      if (state !== 'RESERVED' && state !== 'RELEASED') lost.push(`${a.orderId} (${state ?? 'no record'})`);
    }
    assert.deepEqual(lost, [], `accepted reservations lost by the Redis restart: ${lost.length}`);
  }

  async function ledgerCli(skus: readonly string[]): Promise<void> {
    // The shared ledger checker (src/services/ledger), once it exists: its verdict must agree.
    if (!existsSync(projectPath('scripts/ledger.ts'))) return;
    const args = ['--import', 'tsx', projectPath('scripts/ledger.ts'), '--json', '--wait-drain', '60000', ...skus.flatMap(s => ['--sku', s])];
    const env = { ...process.env, REDIS_URL: CHAOS_STORES.redisUrl, REDIS_CLUSTER_NODES: '', MYSQL_URL: CHAOS_STORES.mysqlUrl, ROCKETMQ_ENDPOINTS: CHAOS_STORES.rocketmqEndpoints, LOG_LEVEL: 'silent' };
    try {
      await promisify(execFile)(process.execPath, args, { env, cwd: projectPath(), maxBuffer: 64 * 1024 * 1024 });
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      assert.fail(`ledger checker exit ${e.code}: ${(e.stdout ?? '').slice(0, 4000)} ${(e.stderr ?? '').slice(0, 1000)}`);
    }
  }

  for (const fault of FAULTS) {
    it(`kill -9 ${fault.what}, restart, drain: ledger clean and the shop serves again`, async function () {
      const run = `${fault.key}-${Date.now().toString(36)}`;
      const hot: ItemSpec = { id: `CH-${run}-HOT`, stock: SIZE.stock, limit: 2 };
      const normal: ItemSpec = { id: `CH-${run}-NORMAL`, stock: 1_000, limit: 0 };
      const probe: ItemSpec = { id: `CH-${run}-PROBE`, stock: 10, limit: 2 };
      const items = [hot, normal, probe];
      await seed(items, new Set([hot.id, probe.id]));
      const base = await snapshot(redis, mysql, items);

      const record = newSaleRecord();
      const d = { clients, record, prefix: run, budgetMs: BUDGET_MS, payBudgetMs: PAYMENT_WINDOW_MS + 30_000 };
      const tasks: Array<() => Promise<void>> = [];
      for (let i = 0; i < SIZE.buyers; i++) tasks.push(() => runBuyer(d, hot.id, i, i % 2 === 0));
      for (let j = 0; j < SIZE.shoppers; j++) tasks.splice(Math.floor(((j + 0.5) * tasks.length) / SIZE.shoppers), 0, () => runShopper(d, normal.id, j));
      // Three waves: before the fault (killed while half of it is in flight), during the outage, after the restart.
      const third = Math.ceil(tasks.length / 3);
      let done = 0;
      const counted = (ts: Array<() => Promise<void>>) => ts.map(t => async () => { await t(); done++; });
      const wave1 = pool(SIZE.concurrency, counted(tasks.slice(0, third)));
      while (done < third / 2) await sleep(20);
      await fault.kill();
      const wave2 = pool(SIZE.concurrency, counted(tasks.slice(third, 2 * third)));
      await sleep(OUTAGE_MS);
      await fault.restart();
      if (fault.key === 'redis') await assertReservationsSurvived(record);
      const wave3 = pool(SIZE.concurrency, counted(tasks.slice(2 * third)));
      await Promise.all([wave1, wave2, wave3]);

      // Serves again: a fresh Buy and a fresh PlaceOrder succeed (retrying only while the breakers close).
      const probeRecord = newSaleRecord();
      const p = { ...d, record: probeRecord, prefix: `${run}-probe` };
      await runBuyer(p, probe.id, 1, true);
      await runShopper(p, normal.id, 0);
      const probeOrders = [...probeRecord.accepted.values()];
      assert.deepEqual(probeOrders.map(o => o.productId).sort(), [normal.id, probe.id].sort(), `fresh Buy/PlaceOrder after the restart: ${JSON.stringify([...probeRecord.refusals])}`);
      for (const [id, o] of probeRecord.accepted) record.accepted.set(id, o);
      for (const id of probeRecord.paid) record.paid.add(id);

      const s = await waitDrained(redis, mysql, items, record, PAYMENT_WINDOW_MS + 120_000);
      const found = breaches(s, record, base);
      const accepted = [...record.accepted.values()];
      console.log(
        `    [${fault.key}] accepted ${accepted.filter(a => a.source === 'flash').length} Buy (${accepted.filter(a => a.productId === hot.id).reduce((n, a) => n + a.quantity, 0)}/${hot.stock} units), ` +
          `${accepted.filter(a => a.source === 'place').length} PlaceOrder; paid ${record.paid.size}, pay refused ${record.payRefused.size}; ` +
          `refused ${JSON.stringify(Object.fromEntries(record.refusals))}; unanswered ${JSON.stringify(Object.fromEntries(record.unknown))}; ` +
          `retried errors ${JSON.stringify(Object.fromEntries(record.transientErrors))}\n` +
          summary(s).replace(/^/gm, '      '),
      );
      assert.deepEqual(found, [], `ledger breaches after ${fault.key}:\n${found.join('\n')}`);
      await ledgerCli(items.map(i => i.id));
    });
  }
});
