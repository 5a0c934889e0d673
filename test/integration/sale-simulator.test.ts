// The sale simulator end to end: `main all` (every service in one process, as `make run` starts them) on
// free ports with a short payment window and a checkout that trusts x-forwarded-for, a Redis database of
// its own (12, flushed first), a throw-away MariaDB database, order topics it-sale-* and the CDC topic
// it-row-changed with fresh groups. Fresh groups may replay earlier runs' messages (RocketMQ starts a new
// group at the queue's start): every assertion is about this run's items and order ids only.
// A tiny sale (600 attempts on 50 units, 20 % never pay, PlaceOrder traffic alongside) must end with
// exact counts: every unit accepted once, every accepted order paid or cancelled by the timeout, the
// cancelled units back in Redis, and the ledger clean.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { assignServicePorts, freePort } from '../support/free-ports';
import { runLedger, type LedgerVerdict } from '../../bench/sale/ledger-verdict';
import { runSale, type SaleRunResult } from '../../bench/sale/run-sale';
import { createShopClients, adminCall, type ShopClients } from '../../bench/sale/shop-clients';
import { stageSaleItems } from '../../bench/sale/stage';
import { WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { loadConfig } from '../../src/platform/config';
import { projectPath } from '../../src/platform/paths';
import { closeRedis, connectRedis, createRedis } from '../../src/platform/redis';
import { serviceModules } from '../../src/services/registry';
import { SEED_ITEMS, UPSTREAM_PRODUCTS } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { checkHealth, healthClient } from '../support/grpc-probes';
import { testConfig } from '../support/test-config';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { scrape, select } from './telemetry/prometheus-text';

const MAIN = projectPath('src/main.ts');
/** A Redis database only this suite uses (main-start 7, metrics-scrape 11, browser 13, gateway 14/15). */
const REDIS_URL = 'redis://127.0.0.1:6390/12';
const ADMIN_TOKEN = 'sale-simulator-admin-token';
const UNITS = 50;
const ATTEMPTS = 600;
const PLACE_ORDERS = 20;
const NON_PAYER_PCT = 20;
/** Long enough that every attempt is answered before the first unpaid order is cancelled (no resale). */
const PAYMENT_WINDOW_MS = 45_000;


async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('sale simulator: a tiny sale end to end against `main all`', function () {
  this.timeout(600_000);
  const tdb = useTestDatabase();
  const suffix = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const createdGroup = `GID_it_sale_${suffix}`;
  const statusGroup = `GID_it_sale_status_${suffix}`;
  const timeoutGroup = `GID_it_sale_timeout_${suffix}`;
  let child: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; stderr: string }> | undefined;
  let shop: ShopClients | undefined;
  let env: Record<string, string> = {};
  let sale: SaleRunResult;
  let skus: string[] = [];
  let ledger: LedgerVerdict;
  let logTail = '';

  before(async function () {
    const flushConfig = testConfig({ REDIS_URL });
    const flusher = createRedis(flushConfig, { logger: testLogger('flush'), name: 'sale-flush', blocking: false });
    await connectRedis(flusher, flushConfig);
    await flusher.flushdb();
    await closeRedis(flusher);
    await seedProducts(tdb.current.db, SEED_ITEMS.filter(i => !i.flashSale), { reset: true, saleStartsAt: new Date(), overrideSaleStart: false });

    const metricsPort = await freePort();
    env = {
      LOG_LEVEL: 'warn',
      MYSQL_URL: tdb.current.config.mysql.url,
      REDIS_URL,
      ADMIN_TOKEN,
      METRICS_PORT: String(metricsPort),
      INVENTORY_SHARDS: '4',
      STREAM_BLOCK_MS: '500',
      ORDER_CREATED_TOPIC: 'it-sale-orders',
      ORDER_CREATED_GROUP: createdGroup,
      ORDER_STATUS_TOPIC: 'it-sale-status',
      ORDER_STATUS_GROUP: statusGroup,
      ORDER_CONSUMER_AWAIT_MS: '1000',
      ORDER_TASK_POLL_MS: '200',
      ORDER_PAYMENT_WINDOW_MS: String(PAYMENT_WINDOW_MS),
      ORDER_TIMEOUT_TOPIC: 'it-sale-timeout',
      ORDER_TIMEOUT_GROUP: timeoutGroup,
      ORDER_TIMEOUT_SCAN_INTERVAL_MS: '1000',
      // Its own CDC consumers: the shared row-changed groups would hand this database's changes to
      // other processes (and theirs to this Redis).
      CDC_TOPIC: 'it-row-changed',
      CDC_PRODUCT_GROUP: `GID_it_sale_cdc_products_${suffix}`,
      CDC_ORDER_GROUP: `GID_it_sale_cdc_orders_${suffix}`,
      CHECKOUT_TRUST_FORWARDED_FOR: 'true',
    };
    const ports = await assignServicePorts(env);
    // node --import tsx, not the tsx CLI: the CLI relays SIGTERM and SIGKILLs its child (exit 143) when the
    // child's event loop does not acknowledge within 30 ms — a busy consumer batch is enough.
    const proc = spawn(process.execPath, ['--import', 'tsx', MAIN, 'all'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    // The process's last log lines (warnings and errors) explain a failure.
    const keep = (d: Buffer) => (logTail = (logTail + d.toString()).slice(-8000));
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    exited = new Promise(resolve => proc.on('exit', code => resolve({ code, stderr: logTail })));
    const config = loadConfig(env);
    for (const m of serviceModules) {
      const health = healthClient(`127.0.0.1:${m.port(config)}`);
      try {
        await until(`${m.name} SERVING`, async () => (await checkHealth(health, 'readiness')) === 'SERVING', 120_000);
      } finally {
        health.close();
      }
    }
    // Fresh groups start at the queue's end: sell only once both order consumers have polled.
    for (const group of [createdGroup, statusGroup]) {
      await until(`a first poll of ${group}`, async () => select(await scrape(metricsPort), 'rocketmq_consumer_lag_ms', { group }).length > 0, 90_000);
    }

    const a = config.addr;
    shop = createShopClients({ checkout: a.checkout, order: a.order, cart: a.cart, productCatalog: a.productCatalog, currency: a.currency }, 20_000);
    const warmed = await shop.warmUp({ productIds: UPSTREAM_PRODUCTS.map(p => p.id) }, adminCall(ADMIN_TOKEN));
    assert.ok(warmed.results.every(r => r.outcome === WarmUpOutcome.WARM_UP_OUTCOME_WARMED), 'catalog items warmed');

    skus = await stageSaleItems(tdb.current.db, shop, ADMIN_TOKEN, { runId: suffix, items: 1, units: UNITS, limitPerUser: 1 });
    sale = await runSale({
      shop,
      db: tdb.current.db,
      runId: suffix,
      skus,
      unitsPerItem: UNITS,
      limitPerUser: 1,
      attempts: ATTEMPTS,
      concurrency: 16,
      placeOrders: PLACE_ORDERS,
      placeConcurrency: 2,
      nonPayerPct: NON_PAYER_PCT,
      repeatPct: 2,
      perBuyerAddress: true,
      maxTimeoutWaitMs: 600_000,
      drainTimeoutMs: 120_000,
      settleGraceMs: 60_000,
    });
    // The sale item only: a fresh consumer group on it-sale-orders may replay an earlier run's PlaceOrder
    // messages (RocketMQ starts a new group at offset 0 while the queue was never cleaned), and those
    // orders have no reservation in this run's flushed Redis database.
    ledger = await runLedger({
      skus,
      waitDrainMs: 60_000,
      env: { ...process.env, MYSQL_URL: env.MYSQL_URL!, REDIS_URL, INVENTORY_SHARDS: '4', LOG_LEVEL: 'warn' },
    });
  });

  after(async () => {
    shop?.close();
    if (!child || !exited) return;
    // Its drain is the services' own concern (main-start tests it); here it only has to go away.
    child.kill('SIGTERM');
    const killer = setTimeout(() => child?.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(killer);
  });

  it('every unit is sold (demand ≫ supply) and every attempt is answered and counted once', () => {
    const t = sale.tally;
    assert.equal(t.attempts, ATTEMPTS);
    assert.equal(t.buyAnswers.get('UNKNOWN'), 0, `every Buy answered: ${JSON.stringify(t.settleNotes.entries())}\n${logTail}`);
    assert.equal(t.buyAnswers.total() + t.tokenRefusals.total(), ATTEMPTS, 'every attempt counted once');
    assert.equal(t.buyAnswers.get('ACCEPTED'), t.accepted.length);
    assert.equal(new Set(t.accepted.map(o => o.orderId)).size, t.accepted.length, 'distinct order ids');
    // Exactly UNITS when the buying phase ends before the first timeout cancel; on a slow machine the
    // cancelled units are sold again, and each resale is one more ACCEPTED.
    assert.ok(t.accepted.length >= UNITS, `${t.accepted.length} accepted`);
    assert.ok(t.buyAnswers.get('SOLD_OUT') > 0);
  });

  it('every accepted order is paid or cancelled by the payment timeout; exactly the cancelled units are back in Redis', () => {
    const accepted = sale.tally.accepted.length;
    const s = sale.tally.settlements();
    const nonPayers = Math.floor((accepted * NON_PAYER_PCT) / 100);
    assert.equal(s.get('paid'), accepted - nonPayers);
    assert.equal(s.get('cancelled-by-timeout'), nonPayers);
    assert.equal(s.get('paid') + s.get('cancelled-by-timeout'), accepted);
    const statuses = sale.tally.accepted.map(o => sale.statuses.get(o.orderId));
    assert.equal(statuses.filter(x => x === 'CANCELLED').length, nonPayers);
    assert.equal(statuses.filter(x => x === 'PAID' || x === 'SHIPPED').length, accepted - nonPayers);
    // units = paid + left: no unit lost, none sold twice.
    assert.equal(sale.remaining.get(skus[0]!), UNITS - (accepted - nonPayers));
  });

  it('PlaceOrder traffic alongside succeeds and every order reaches MySQL (drained)', () => {
    assert.equal(sale.tally.placeAnswers.get('OK'), PLACE_ORDERS);
    assert.equal(sale.tally.placed.length, PLACE_ORDERS);
    assert.deepEqual(sale.drain.missing, []);
    assert.ok(Number.isFinite(sale.drain.drainMs));
  });

  it("the simulator's own checks pass and the ledger is clean", () => {
    assert.deepEqual(sale.breaches, []);
    assert.equal(ledger.verdict, 'clean', `ledger: ${ledger.note} ${JSON.stringify(ledger.breaches.slice(0, 5))}`);
  });

  it('`main all` stops cleanly on SIGTERM (consumers still retrying their start-up included)', async () => {
    // The dead-letter readers of this run's fresh groups never start (their %DLQ% topics do not exist):
    // their start-with-retries loops must still stop within the shutdown grace.
    shop?.close();
    shop = undefined;
    child!.kill('SIGTERM');
    const { code, stderr } = await exited!;
    child = undefined;
    assert.equal(code, 0, stderr);
  });
});
