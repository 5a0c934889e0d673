// Load shedding (issue 7 item 5): beyond its in-flight cap a gRPC server answers RESOURCE_EXHAUSTED at
// once — while the admitted calls are still running, so nothing queues behind them — and a refused call
// changed nothing, so retrying it later succeeds. Proved on a bare platform server with a gated handler
// and on the real hot path (FlashSaleService.Buy → InventoryService → Redis).
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { AdServiceClient, AdServiceService } from '../../src/gen/hipstershop/demo';
import { BuyResult, type BuyRequest, type BuyResponse } from '../../src/gen/shop/v1/flashsale';
import { OrderServiceClient, OrderServiceService, type OrderProgress } from '../../src/gen/shop/v1/order';
import { NotFoundError } from '../../src/platform/errors';
import { createGrpcClient, unary } from '../../src/platform/grpc-client';
import { testConfig } from '../support/test-config';
import { startTestServer, type TestServer } from '../support/test-server';
import { useFlashFixture } from './flashsale-fixture';

function codeOf(err: unknown): number {
  return (err as ServiceError).code;
}

/** A latch the gated handlers wait on. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>(resolve => (open = resolve));
  return { opened, open };
}

async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 10));
  }
}

describe('load shedding: a bare gRPC server with GRPC_MAX_IN_FLIGHT=20, GRPC_MAX_STREAMS=5', function () {
  this.timeout(120_000);
  let server: TestServer;
  let ads: AdServiceClient;
  let orders: OrderServiceClient;
  let inHandler = 0;
  let peak = 0;
  let latch = gate();
  const streamsOpen: Array<() => void> = [];

  before(async () => {
    const unimplemented = () => {
      throw new NotFoundError('not in this test');
    };
    server = await startTestServer(
      s => {
        s.add(AdServiceService, {
          async getAds() {
            inHandler += 1;
            peak = Math.max(peak, inHandler);
            await latch.opened;
            inHandler -= 1;
            return { ads: [] };
          },
        });
        s.add(OrderServiceService, {
          getOrder: unimplemented,
          listOrders: unimplemented,
          getOrderProgress: unimplemented,
          payOrder: unimplemented,
          cancelOrder: unimplemented,
          listDeadLetters: unimplemented,
          replayDeadLetter: unimplemented,
          async *watchOrder(_req, ctx): AsyncIterable<OrderProgress> {
            await new Promise<void>(resolve => {
              streamsOpen.push(resolve);
              ctx.signal.addEventListener('abort', () => resolve());
            });
          },
        });
      },
      { config: testConfig({ SHUTDOWN_GRACE_MS: '2000', GRPC_MAX_IN_FLIGHT: '20', GRPC_MAX_STREAMS: '5' }) },
    );
    ads = createGrpcClient(AdServiceClient, server.address);
    orders = createGrpcClient(OrderServiceClient, server.address);
  });

  after(async () => {
    latch.open();
    ads?.close();
    orders?.close();
    await server?.stop();
  });

  it('500 concurrent calls: exactly 20 run, 480 are refused RESOURCE_EXHAUSTED while those 20 still hold the server', async () => {
    const getAds = unary(ads, 'getAds', { defaultDeadlineMs: 60_000 });
    const outcomes: Array<number | 'ok'> = [];
    const calls = Array.from({ length: 500 }, () =>
      getAds({ contextKeys: [] }).then(
        () => outcomes.push('ok'),
        err => outcomes.push(codeOf(err)),
      ),
    );
    // Every refusal arrives while the gate is shut: nothing waited for a slot.
    await until(() => outcomes.length === 480, '480 refusals');
    assert.equal(inHandler, 20, 'admitted calls running');
    assert.deepEqual(new Set(outcomes), new Set([status.RESOURCE_EXHAUSTED]));
    assert.equal(server.server.handlerDeps.shedder?.inFlight('unary'), 20);
    latch.open();
    await Promise.all(calls);
    assert.equal(outcomes.filter(o => o === 'ok').length, 20);
    assert.equal(peak, 20, 'never more than the cap inside the handler');
    assert.equal(server.server.handlerDeps.shedder?.inFlight('unary'), 0, 'every slot given back');
  });

  it('recovers: once the admitted calls finish, new calls are served again', async () => {
    latch = gate();
    latch.open();
    const getAds = unary(ads, 'getAds', { defaultDeadlineMs: 10_000 });
    const results = await Promise.all(Array.from({ length: 20 }, () => getAds({ contextKeys: [] })));
    assert.equal(results.length, 20);
  });

  it('the sixth concurrent WatchOrder stream is refused RESOURCE_EXHAUSTED; closing one admits the next', async () => {
    const open = Array.from({ length: 5 }, () => orders.watchOrder({ orderId: 'o', userId: 'u' }));
    for (const s of open) s.on('error', () => undefined);
    await until(() => streamsOpen.length === 5, 'five streams in the handler');
    const refused = await new Promise<number>(resolve => {
      const s = orders.watchOrder({ orderId: 'o', userId: 'u' });
      s.on('error', err => resolve(codeOf(err)));
      s.on('data', () => undefined);
    });
    assert.equal(refused, status.RESOURCE_EXHAUSTED);
    streamsOpen.shift()!(); // the first handler returns → its stream ends
    await until(() => server.server.handlerDeps.shedder?.inFlight('stream') === 4, 'a slot freed');
    const next = orders.watchOrder({ orderId: 'o', userId: 'u' });
    next.on('error', () => undefined);
    await until(() => streamsOpen.length === 5, 'the next stream admitted');
    for (const s of [...open, next]) s.cancel();
  });
});

describe('load shedding on the hot path: 1 500 concurrent Buy calls, a FlashSaleService capped at 8 in flight, 100 units', function () {
  this.timeout(300_000);
  const SKU = 'SHED-FLASH-1';
  const UNITS = 100;
  const BUYERS = 1500;
  const fx = useFlashFixture([{ id: SKU, stock: UNITS, limit: 1 }]);

  function buyReq(userId: string, token: string): BuyRequest {
    return {
      userId,
      productId: SKU,
      quantity: 1,
      token,
      userCurrency: '',
      email: 'buyer@example.com',
      shippingAddress: { streetAddress: '1 Main St', city: 'Springfield', state: 'CA', country: 'United States', zipCode: 94000 },
    };
  }

  it('every reply is a Buy outcome or RESOURCE_EXHAUSTED; shed calls changed nothing, and retrying them sells exactly the 100 units', async () => {
    const capped = await fx.current.startFlash({ serverConfig: { GRPC_MAX_IN_FLIGHT: '8' } });
    const rpc = fx.current.flash.rpc; // tokens from the uncapped server: only Buy is under test
    const buyers = Array.from({ length: BUYERS }, (_, i) => `shed-user-${i}`);
    const tokens = new Map<string, string>();
    for (let i = 0; i < buyers.length; i += 100) {
      await Promise.all(
        buyers.slice(i, i + 100).map(async u => tokens.set(u, (await rpc.issueToken({ userId: u, productId: SKU })).token)),
      );
    }

    const replies = new Map<string, BuyResponse>();
    let shed: string[] = [];
    await Promise.all(
      buyers.map(u =>
        capped.rpc.buy(buyReq(u, tokens.get(u)!)).then(
          res => replies.set(u, res),
          err => {
            assert.equal(codeOf(err), status.RESOURCE_EXHAUSTED, `unexpected ${String(err)}`);
            shed.push(u);
          },
        ),
      ),
    );
    assert.ok(shed.length > 0, 'the cap of 8 refused some of 1 500 concurrent calls');
    const acceptedFirst = [...replies.values()].filter(r => r.result === BuyResult.BUY_RESULT_ACCEPTED).length;
    assert.equal(await fx.current.redisStock(SKU), UNITS - acceptedFirst, 'only admitted calls touched the stock');

    // A shed Buy never ran: its token is still valid, so the same request succeeds on retry.
    while (shed.length > 0) {
      const retry = shed;
      shed = [];
      for (let i = 0; i < retry.length; i += 8) {
        await Promise.all(
          retry.slice(i, i + 8).map(u =>
            capped.rpc.buy(buyReq(u, tokens.get(u)!)).then(
              res => replies.set(u, res),
              err => {
                assert.equal(codeOf(err), status.RESOURCE_EXHAUSTED);
                shed.push(u);
              },
            ),
          ),
        );
      }
    }
    const results = [...replies.values()].map(r => r.result);
    assert.equal(replies.size, BUYERS, 'every buyer got a Buy outcome in the end');
    assert.equal(results.filter(r => r === BuyResult.BUY_RESULT_ACCEPTED).length, UNITS);
    assert.equal(results.filter(r => r === BuyResult.BUY_RESULT_SOLD_OUT).length, BUYERS - UNITS);
    assert.equal(await fx.current.redisStock(SKU), 0);
    assert.equal((await fx.current.orderCreatedIds()).length, UNITS);
  });
});
