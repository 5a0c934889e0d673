// /metrics of a real process during a small test sale: `main all` (every service in one process, as
// `make run` starts them) on free ports, METRICS_PORT on a free port, a Redis database of its own (11,
// flushed first), a throw-away MariaDB database, RocketMQ topics it-metrics-* with fresh groups.
// The sale: two flash-sale Buys take the last two units and a third is refused; one PlaceOrder (cart →
// Reserve → payment → PAID → shipping); one dead letter appears. The scrape after it must show every
// metric of issue 6 present and the counters moved from the scrape before it.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { assignServicePorts, freePort } from '../support/free-ports';
import { eq, inArray } from 'drizzle-orm';
import { CartServiceClient, CheckoutServiceClient } from '../../src/gen/hipstershop/demo';
import { BuyResult, FlashSaleServiceClient } from '../../src/gen/shop/v1/flashsale';
import { InventoryServiceClient, WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { loadConfig } from '../../src/platform/config';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { projectPath } from '../../src/platform/paths';
import { closeRedis, connectRedis, createRedis } from '../../src/platform/redis';
import { serviceModules } from '../../src/services/registry';
import { deadLetters, orders } from '../../src/services/order/schema';
import { SEED_ITEMS, type SeedItem } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { checkHealth, healthClient } from '../support/grpc-probes';
import { testConfig } from '../support/test-config';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { scrape, select, total, type Series } from './telemetry/prometheus-text';

const MAIN = projectPath('src/main.ts');
const TSX = projectPath('node_modules/.bin/tsx');
/** A Redis database only this suite uses (main-start uses 7). */
const REDIS_URL = 'redis://127.0.0.1:6390/11';
const ADMIN_TOKEN = 'metrics-scrape-admin-token';
const ADMIN = { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } };
const CREATED_TOPIC = 'it-metrics-orders';
const STATUS_TOPIC = 'it-metrics-status';
const FLASH: SeedItem = { product: { ...SEED_ITEMS[0]!.product, id: 'METRICS-FLASH-1', name: 'Metrics flash item' }, stock: 2, perUserLimit: 1, flashSale: true };
const NORMAL: SeedItem = { product: { ...SEED_ITEMS[1]!.product, id: 'METRICS-NORMAL-1', name: 'Metrics normal item' }, stock: 100, perUserLimit: 0, flashSale: false };
const ADDRESS = { streetAddress: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zipCode: 94043 };
const CARD = { creditCardNumber: '4432801561520454', creditCardCvv: 672, creditCardExpirationYear: 2039, creditCardExpirationMonth: 1 };


async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 250));
  }
}

async function waitServing(address: string, timeoutMs: number): Promise<void> {
  const client = healthClient(address);
  try {
    await until(`${address} SERVING`, async () => (await checkHealth(client, 'readiness')) === 'SERVING', timeoutMs);
  } finally {
    client.close();
  }
}

describe('metrics: /metrics of a running process moves during a test sale', function () {
  this.timeout(240_000);
  const tdb = useTestDatabase();
  const suffix = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const createdGroup = `GID_it_metrics_${suffix}`;
  const statusGroup = `GID_it_metrics_status_${suffix}`;
  let child: ChildProcess | undefined;
  let exited: Promise<{ code: number | null; stderr: string }> | undefined;
  let metricsPort = 0;
  let baseline: Series[] = [];
  let final: Series[] = [];
  const flashOrders: string[] = [];
  let placedOrder = '';

  before(async function () {
    // A clean Redis database for this process: no streams or stock left from an earlier run.
    const flushConfig = testConfig({ REDIS_URL });
    const flusher = createRedis(flushConfig, { logger: testLogger('flush'), name: 'metrics-flush', blocking: false });
    await connectRedis(flusher, flushConfig);
    await flusher.flushdb();
    await closeRedis(flusher);
    await seedProducts(tdb.current.db, [FLASH, NORMAL], { reset: true, saleStartsAt: new Date(Date.now() - 60_000), overrideSaleStart: true });

    metricsPort = await freePort();
    const env: Record<string, string> = {
      LOG_LEVEL: 'warn',
      MYSQL_URL: tdb.current.config.mysql.url,
      REDIS_URL,
      ADMIN_TOKEN,
      METRICS_PORT: String(metricsPort),
      INVENTORY_SHARDS: '4',
      STREAM_BLOCK_MS: '500',
      FORWARDER_LAG_PROBE_MS: '500',
      ORDER_CREATED_TOPIC: CREATED_TOPIC,
      ORDER_CREATED_GROUP: createdGroup,
      ORDER_STATUS_TOPIC: STATUS_TOPIC,
      ORDER_STATUS_GROUP: statusGroup,
      ORDER_CONSUMER_AWAIT_MS: '1000',
      ORDER_TASK_POLL_MS: '200',
      CDC_ROLES: 'none',
    };
    const ports = await assignServicePorts(env);
    const proc = spawn(TSX, [MAIN, 'all'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    exited = new Promise(resolve => proc.on('exit', code => resolve({ code, stderr })));
    const config = loadConfig(env);
    for (const m of serviceModules) await waitServing(`127.0.0.1:${m.port(config)}`, 90_000);

    baseline = await scrape(metricsPort);
    const deadline = { defaultDeadlineMs: 15_000 };
    const inventory = createGrpcClient(InventoryServiceClient, `127.0.0.1:${ports.productCatalog}`);
    const flash = createGrpcClient(FlashSaleServiceClient, `127.0.0.1:${ports.checkout}`);
    const checkout = createGrpcClient(CheckoutServiceClient, `127.0.0.1:${ports.checkout}`);
    const cart = createGrpcClient(CartServiceClient, `127.0.0.1:${ports.cart}`);
    try {
      const warm = await unary(inventory, 'warmUp', deadline)({ productIds: [FLASH.product.id, NORMAL.product.id] }, ADMIN);
      assert.deepEqual(warm.results.map(r => r.outcome), [WarmUpOutcome.WARM_UP_OUTCOME_WARMED, WarmUpOutcome.WARM_UP_OUTCOME_WARMED]);
      // Fresh groups start at the queue's end: sell only once both order consumers have polled.
      for (const group of [createdGroup, statusGroup]) {
        await until(`a first poll of ${group}`, async () => select(await scrape(metricsPort), 'rocketmq_consumer_lag_ms', { group }).length > 0, 60_000);
      }

      for (const user of ['metrics-buyer-1', 'metrics-buyer-2', 'metrics-buyer-3']) {
        const { token } = await unary(flash, 'issueToken', deadline)({ userId: user, productId: FLASH.product.id });
        const reply = await unary(flash, 'buy', deadline)({
          userId: user, productId: FLASH.product.id, quantity: 1, token, userCurrency: '', shippingAddress: ADDRESS, email: `${user}@example.com`,
        });
        if (reply.result === BuyResult.BUY_RESULT_ACCEPTED) flashOrders.push(reply.orderId);
      }
      assert.equal(flashOrders.length, 2, 'two units, two accepted Buys');

      await unary(cart, 'addItem', deadline)({ userId: 'metrics-shopper', item: { productId: NORMAL.product.id, quantity: 1 } });
      const placed = await unary(checkout, 'placeOrder', deadline)({
        userId: 'metrics-shopper', userCurrency: 'USD', address: ADDRESS, email: 'shopper@example.com', creditCard: CARD,
      });
      placedOrder = placed.order?.orderId ?? '';
      assert.notEqual(placedOrder, '');
    } finally {
      inventory.close();
      flash.close();
      checkout.close();
      cart.close();
    }

    const db = tdb.current.db;
    const ids = [...flashOrders, placedOrder];
    await until('all three order rows', async () => (await db.select({ id: orders.orderId }).from(orders).where(inArray(orders.orderId, ids))).length === 3 || undefined, 90_000);
    await until('the placed order SHIPPED', async () => (await db.select({ s: orders.status }).from(orders).where(eq(orders.orderId, placedOrder)))[0]?.s === 'SHIPPED' || undefined, 90_000);
    await db.insert(deadLetters).values({
      topic: CREATED_TOPIC, consumerGroup: createdGroup, messageId: `metrics-${suffix}`, msgKey: 'k', body: Buffer.from('x'),
      properties: {}, reason: 'planted by metrics-scrape.test', attempts: 1, createdAt: new Date(),
    });
    // The write-behind catches up: Redis and MySQL stock agree again for the flash item.
    final = await until('the write-behind to catch up (drift 0)', async () => {
      const s = await scrape(metricsPort);
      const drift = total(s, 'app_stock_ledger_drift', { sku: FLASH.product.id });
      return drift === 0 && (total(s, 'repo_flush_success_total') ?? 0) > 0 ? s : undefined;
    }, 60_000);
  });

  after(async () => {
    if (!child || !exited) return;
    child.kill('SIGTERM');
    const { code, stderr } = await exited;
    assert.equal(code, 0, `exit code after SIGTERM; stderr:\n${stderr}`);
  });

  const grew = (name: string, labels: Record<string, string> = {}, by = 1) => {
    const was = total(baseline, name, labels) ?? 0;
    const now = total(final, name, labels);
    assert.ok(now !== undefined, `${name}${JSON.stringify(labels)} present`);
    assert.ok(now >= was + by, `${name}${JSON.stringify(labels)}: ${was} → ${now} (expected +${by})`);
  };
  const present = (name: string, labels: Record<string, string> = {}) =>
    assert.ok(select(final, name, labels).length > 0, `${name}${JSON.stringify(labels)} present`);

  it('RED metrics per RPC: requests by service, method and code, and a duration histogram', () => {
    grew('grpc_server_handled_total', { grpc_service: 'shop.v1.InventoryService', grpc_method: 'Reserve', grpc_code: 'OK' }, 3);
    grew('grpc_server_handled_total', { grpc_service: 'shop.v1.FlashSaleService', grpc_method: 'Buy', grpc_code: 'OK' }, 3);
    grew('grpc_server_handled_total', { grpc_service: 'hipstershop.CheckoutService', grpc_method: 'PlaceOrder', grpc_code: 'OK' }, 1);
    grew('grpc_server_started_total', { grpc_method: 'PlaceOrder' }, 1);
    grew('grpc_server_handling_seconds_count', { grpc_method: 'Reserve' }, 3);
    present('grpc_server_handling_seconds_bucket', { grpc_method: 'Reserve', le: '+Inf' });
  });

  it('business counters: orders placed, stock charged, reservations by outcome, shipping, write-behind flushes', () => {
    grew('app_order_placed_total', { source: 'flashsale' }, 2);
    grew('app_order_placed_total', { source: 'checkout' }, 1);
    grew('app_stock_charge_success_total', {}, 3);
    grew('app_reservations_total', { outcome: 'RESERVED' }, 3);
    grew('app_shipping_success_total', {}, 1);
    grew('repo_flush_success_total', {}, 1);
    grew('repo_flush_entries_total', {}, 3);
  });

  it('pipeline gauges: forwarder lag, stream backlog per group, dead streams, ledger drift', () => {
    present('app_forwarder_lag_ms');
    present('app_stream_backlog', { group: 'order-forwarder', kind: 'pending' });
    present('app_stream_backlog', { group: 'stock-writer', kind: 'lag' });
    present('app_dead_stream_entries');
    assert.equal(total(baseline, 'app_stock_ledger_drift', { sku: FLASH.product.id }), undefined, 'not warmed before the sale');
    assert.equal(total(final, 'app_stock_ledger_drift', { sku: FLASH.product.id }), 0, 'Redis and MySQL agree once drained');
    assert.equal(total(final, 'app_stock_unsynced_entries', { sku: FLASH.product.id }), 0);
  });

  it('RocketMQ: messages per event and consumer lag per group; dead letters by group', () => {
    grew('rocketmq_client_messages_total', { event: 'sent', topic: CREATED_TOPIC }, 3);
    grew('rocketmq_client_messages_total', { event: 'acked', topic: CREATED_TOPIC, group: createdGroup }, 3);
    present('rocketmq_consumer_lag_ms', { topic: CREATED_TOPIC, group: createdGroup });
    assert.equal(total(baseline, 'app_dead_letters', { consumer_group: createdGroup }), undefined);
    assert.equal(total(final, 'app_dead_letters', { consumer_group: createdGroup, state: 'open' }), 1);
  });

  it('circuit breaker state per dependency, and the Node process metrics', () => {
    const states = select(final, 'circuit_breaker_state');
    assert.ok(states.some(s => s.labels.name === 'payment'), `breakers: ${states.map(s => s.labels.name).join(', ')}`);
    assert.ok(states.every(s => s.value === 0), 'all closed in a healthy sale');
    present('process_cpu_user_seconds_total');
    present('nodejs_eventloop_lag_seconds');
  });
});
