// The production wiring (flashsale/wiring.ts) from a real Runtime: FlashSaleService served next to
// checkout's shared breakers, rate limiter and idempotency store, reading MySQL through rt.db() and
// reaching InventoryService at PRODUCT_CATALOG_SERVICE_ADDR.
import assert from 'node:assert/strict';
import { FlashSaleServiceClient, BuyResult, SaleState } from '../../src/gen/shop/v1/flashsale';
import { breakerSettings, createBreakers } from '../../src/platform/breaker';
import { systemClock } from '../../src/platform/clock';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { createIdempotency, idempotencySettings } from '../../src/platform/idempotency';
import { createRateLimiter } from '../../src/platform/rate-limit';
import { createShutdown } from '../../src/platform/shutdown';
import { createCheckoutClients } from '../../src/services/checkout/clients';
import { flashSaleRegistration } from '../../src/services/checkout/flashsale/wiring';
import { createResultStore } from '../../src/services/order/result-store';
import { ProgressState } from '../../src/gen/shop/v1/order';
import { createRuntime } from '../../src/services/runtime';
import { serveGrpc } from '../../src/services/serve';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';
import { deleteKeys } from '../support/test-redis';
import { useFlashFixture } from './flashsale-fixture';

const SKU = 'WIRE-FLASH-1';

describe('flash sale: production wiring from a Runtime', function () {
  this.timeout(60_000);
  const fx = useFlashFixture([{ id: SKU, stock: 3, limit: 1 }]);

  it('serves ListSaleItems, IssueToken and Buy end to end', async () => {
    const f = fx.current;
    const config = testConfig({
      MYSQL_URL: f.dbConfig.mysql.url,
      MYSQL_MIGRATE_ON_START: 'false',
      PRODUCT_CATALOG_SERVICE_ADDR: f.inventoryAddress,
      SHUTDOWN_GRACE_MS: '2000',
    });
    const logger = testLogger('wiring');
    const shutdown = createShutdown({ logger, timeoutMs: 10_000, exit: () => undefined });
    const rt = createRuntime({ config, logger, clock: systemClock, shutdown });
    const prefix = `test:${uniqueId('wire')}:`;
    const redis = await rt.redis();
    const breakers = createBreakers({ settings: breakerSettings(config), logger });
    const clients = createCheckoutClients({
      addresses: { cart: config.addr.cart, productCatalog: config.addr.productCatalog, currency: config.addr.currency, shipping: config.addr.shipping, payment: config.addr.payment },
      breakers,
      deadlineMs: config.rpc.deadlineMs,
      adminToken: '',
    });
    const user = uniqueId('wire-user');
    try {
      const registration = await flashSaleRegistration(rt, {
        breakers,
        clients,
        limiter: createRateLimiter({ redis, clock: systemClock, prefix }),
        idempotency: createIdempotency({ redis, clock: systemClock, settings: idempotencySettings(config), logger, prefix }),
      });
      const served = await serveGrpc(rt, 'checkout', 0, [registration]);
      const client = createGrpcClient(FlashSaleServiceClient, `127.0.0.1:${served.port}`);
      try {
        const o = { defaultDeadlineMs: 10_000 };
        const { items } = await unary(client, 'listSaleItems', o)({});
        assert.equal(items.length, 1);
        assert.equal(items[0]?.state, SaleState.SALE_STATE_ACTIVE);
        assert.equal(items[0]?.remainingStock, 3n);
        const { token } = await unary(client, 'issueToken', o)({ userId: user, productId: SKU });
        const reply = await unary(client, 'buy', o)({
          userId: user,
          productId: SKU,
          quantity: 1,
          token,
          userCurrency: 'USD',
          shippingAddress: { streetAddress: '1 Main St', city: 'Springfield', state: '', country: 'US', zipCode: 1 },
          email: 'w@example.com',
        });
        assert.equal(reply.result, BuyResult.BUY_RESULT_ACCEPTED);
        assert.equal(await f.redisStock(SKU), 2);
        // The buyer can poll the order's result from Redis before the order row exists.
        const progress = await createResultStore(redis, { ttlMs: 60_000, clock: systemClock, logger }).get(reply.orderId);
        assert.equal(progress?.progress.state, ProgressState.PROGRESS_STATE_IN_PROGRESS);
        assert.equal(progress?.userId, user);
        await redis.del(`order:{${reply.orderId}}:result`);
      } finally {
        client.close();
      }
    } finally {
      clients.close();
      breakers.shutdown();
      await deleteKeys(redis, prefix);
      await deleteKeys(redis, `flash:{${user}}`);
      await shutdown.run('test over');
    }
  });
});
