// CartService over real gRPC with carts in the real Redis, called the way upstream clients do
// (proto-loader, keepCase, longs as String).
import assert from 'node:assert/strict';
import { type Client, status } from '@grpc/grpc-js';
import { Redis } from 'ioredis';
import { CartServiceService } from '../../src/gen/hipstershop/demo';
import type { RedisClient } from '../../src/platform/redis';
import { createRedisCartStore } from '../../src/services/cart/cart-store';
import { createCartHandlers } from '../../src/services/cart/server';
import { MAX_LINE_QUANTITY } from '../../src/services/cart/validate';
import { uniqueId, uniquePrefix } from '../support/ids';
import { closeRedis, createTestRedis, deleteKeys } from '../support/test-redis';
import { type TestServer, startTestServer } from '../support/test-server';
import { rejectsWith, unary, upstreamClient } from '../support/upstream-client';

interface CartReply {
  user_id: string;
  items: Array<{ product_id: string; quantity: number }>;
}

const TTL_SECONDS = 3600;
const sorted = (c: CartReply) => [...c.items].sort((a, b) => a.product_id.localeCompare(b.product_id));

describe('cart service (gRPC + Redis, upstream-style client)', () => {
  const prefix = uniquePrefix('cart');
  let redis: RedisClient;
  let server: TestServer;
  let client: Client;
  const key = (user: string) => `${prefix}{${user}}`;

  before(async () => {
    redis = await createTestRedis('cart-test');
    const store = createRedisCartStore(redis, { ttlSeconds: TTL_SECONDS, keyPrefix: prefix });
    server = await startTestServer(s => s.add(CartServiceService, createCartHandlers(store)));
    client = upstreamClient('CartService', server.address);
  });

  after(async () => {
    client?.close();
    await server?.stop();
    if (redis) {
      await deleteKeys(redis, prefix);
      await closeRedis(redis);
    }
  });

  it('GetCart of an unknown user is an empty cart', async () => {
    const user = uniqueId('u');
    assert.deepEqual(await unary(client, 'GetCart', { user_id: user }), { user_id: user, items: [] });
  });

  it('AddItem merges quantities per product; GetCart returns every line', async () => {
    const user = uniqueId('u');
    await unary(client, 'AddItem', { user_id: user, item: { product_id: 'OLJCESPC7Z', quantity: 2 } });
    await unary(client, 'AddItem', { user_id: user, item: { product_id: '66VCHSJNUP', quantity: 1 } });
    await unary(client, 'AddItem', { user_id: user, item: { product_id: 'OLJCESPC7Z', quantity: 3 } });
    const cart = await unary<CartReply>(client, 'GetCart', { user_id: user });
    assert.equal(cart.user_id, user);
    assert.deepEqual(sorted(cart), [{ product_id: '66VCHSJNUP', quantity: 1 }, { product_id: 'OLJCESPC7Z', quantity: 5 }]);
  });

  it('stores one hash per user under a hash-tagged key with the idle TTL', async () => {
    const user = uniqueId('u');
    await unary(client, 'AddItem', { user_id: user, item: { product_id: 'P1', quantity: 4 } });
    assert.equal(await redis.type(key(user)), 'hash');
    assert.deepEqual(await redis.hgetall(key(user)), { P1: '4' });
    const ttl = await redis.ttl(key(user));
    assert.ok(ttl > 0 && ttl <= TTL_SECONDS, `ttl ${ttl}`);
  });

  it('EmptyCart empties it; GetCart then returns no items', async () => {
    const user = uniqueId('u');
    await unary(client, 'AddItem', { user_id: user, item: { product_id: 'P1', quantity: 1 } });
    assert.deepEqual(await unary(client, 'EmptyCart', { user_id: user }), {});
    assert.deepEqual(await unary(client, 'GetCart', { user_id: user }), { user_id: user, items: [] });
    assert.equal(await redis.exists(key(user)), 0);
  });

  it('200 concurrent AddItem calls lose no update', async () => {
    const user = uniqueId('u');
    await Promise.all(Array.from({ length: 200 }, (_, i) =>
      unary(client, 'AddItem', { user_id: user, item: { product_id: i % 2 === 0 ? 'EVEN' : 'ODD', quantity: 1 } })));
    const cart = await unary<CartReply>(client, 'GetCart', { user_id: user });
    assert.deepEqual(sorted(cart), [{ product_id: 'EVEN', quantity: 100 }, { product_id: 'ODD', quantity: 100 }]);
  });

  describe('invalid requests: INVALID_ARGUMENT naming the field, nothing written', () => {
    const cases: Array<[string, (user: string) => object, string]> = [
      ['empty user_id', () => ({ user_id: '', item: { product_id: 'P', quantity: 1 } }), 'user_id: is required'],
      ['missing item', user => ({ user_id: user }), 'item: is required'],
      ['empty product_id', user => ({ user_id: user, item: { product_id: '', quantity: 1 } }), 'item.product_id: is required'],
      ['quantity 0', user => ({ user_id: user, item: { product_id: 'P', quantity: 0 } }), 'item.quantity: must be a positive integer'],
      ['negative quantity', user => ({ user_id: user, item: { product_id: 'P', quantity: -3 } }), 'item.quantity: must be a positive integer'],
      ['over-long user_id', () => ({ user_id: 'u'.repeat(257), item: { product_id: 'P', quantity: 1 } }), 'user_id: must be at most 256 characters'],
    ];
    for (const [name, req, details] of cases) {
      it(name, async () => {
        const user = uniqueId('u');
        await assert.rejects(unary(client, 'AddItem', req(user)), rejectsWith(status.INVALID_ARGUMENT, details));
        assert.equal(await redis.exists(key(user)), 0);
      });
    }

    it('GetCart / EmptyCart with empty user_id', async () => {
      await assert.rejects(unary(client, 'GetCart', { user_id: '' }), rejectsWith(status.INVALID_ARGUMENT, 'user_id: is required'));
      await assert.rejects(unary(client, 'EmptyCart', { user_id: '' }), rejectsWith(status.INVALID_ARGUMENT, 'user_id: is required'));
    });

    it('a line that would outgrow int32 is refused and left as it was', async () => {
      const user = uniqueId('u');
      await unary(client, 'AddItem', { user_id: user, item: { product_id: 'P', quantity: MAX_LINE_QUANTITY } });
      await assert.rejects(
        unary(client, 'AddItem', { user_id: user, item: { product_id: 'P', quantity: 1 } }),
        rejectsWith(status.INVALID_ARGUMENT, `item.quantity: the cart line would exceed ${MAX_LINE_QUANTITY}`),
      );
      assert.deepEqual(await unary(client, 'GetCart', { user_id: user }), { user_id: user, items: [{ product_id: 'P', quantity: MAX_LINE_QUANTITY }] });
    });
  });

  it('Redis unreachable → UNAVAILABLE (upstream: FAILED_PRECONDITION)', async () => {
    // A real client aimed at a closed port, failing fast instead of queueing.
    const dead = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const srv = await startTestServer(s => s.add(CartServiceService, createCartHandlers(createRedisCartStore(dead, { ttlSeconds: 60 }))));
    const c = upstreamClient('CartService', srv.address);
    try {
      await assert.rejects(unary(c, 'GetCart', { user_id: 'u' }), rejectsWith(status.UNAVAILABLE, 'cart storage unavailable'));
      await assert.rejects(
        unary(c, 'AddItem', { user_id: 'u', item: { product_id: 'P', quantity: 1 } }),
        rejectsWith(status.UNAVAILABLE, 'cart storage unavailable'),
      );
    } finally {
      c.close();
      await srv.stop();
      dead.disconnect();
    }
  });
});
