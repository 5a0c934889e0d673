// Every way FlashSaleService refuses, over real gRPC on real Redis + MariaDB with a real InventoryService:
// each case asserts the gRPC code (or the refusal result) and that nothing changed — no stock taken,
// no order-created record, and (for errors before the token step) the buyer's token still live.
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { BuyResult, type BuyRequest, type BuyResponse } from '../../src/gen/shop/v1/flashsale';
import { ReleaseReason } from '../../src/gen/shop/v1/common';
import type { InventoryPort } from '../../src/services/checkout/flashsale';
import { ADMIN, useFlashFixture, type FlashRpc } from './flashsale-fixture';

const MAIN = 'FS-MAIN';
const ONE = 'FS-ONE';
const LATER = 'FS-LATER';
const MOVE = 'FS-MOVE';
const PLAIN = 'FS-PLAIN';
const COLD = 'FS-COLD';
const ADDRESS = { streetAddress: '1 Main St', city: 'Springfield', state: 'IL', country: 'United States', zipCode: 62701 };

let userSeq = 0;
const newUser = () => `rej-user-${++userSeq}`;

function buyReq(userId: string, productId: string, token: string, overrides: Partial<BuyRequest> = {}): BuyRequest {
  return { userId, productId, quantity: 1, token, userCurrency: '', shippingAddress: { ...ADDRESS }, email: 'buyer@example.com', ...overrides };
}

async function failure(p: Promise<unknown>): Promise<ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as ServiceError;
  }
  assert.fail('expected the call to fail');
}

describe('flash sale: rejection paths (FlashSaleService over gRPC)', function () {
  this.timeout(120_000);
  const fx = useFlashFixture(
    [
      { id: MAIN, stock: 100, limit: 2 },
      { id: ONE, stock: 1, limit: 1 },
      { id: LATER, stock: 10, limit: 1, startsAt: new Date(Date.now() + 3_600_000) },
      { id: MOVE, stock: 10, limit: 1 },
      { id: PLAIN, stock: 10, limit: 0, flashSale: false },
      { id: COLD, stock: 10, limit: 1, warm: false },
    ],
    { settings: { itemCacheTtlMs: 0, stockCacheTtlMs: 0 } },
  );
  let rpc: FlashRpc;

  before(() => {
    rpc = fx.current.flash.rpc;
  });

  interface State {
    readonly stock: number;
    readonly orders: number;
    readonly token: string | null;
    readonly unpaid: string | null;
  }

  async function state(userId: string, productId: string): Promise<State> {
    const f = fx.current;
    return {
      stock: await f.redisStock(productId),
      orders: (await f.orderCreatedIds()).length,
      token: await f.redis.get(f.flashKey('token', userId, productId)),
      unpaid: await f.redis.get(f.flashKey('unpaid', userId, productId)),
    };
  }

  /** Stock, order records and the unpaid mark unchanged; the token as given. */
  async function assertUnchanged(before: State, userId: string, productId: string, token: 'kept' | 'consumed'): Promise<void> {
    const after = await state(userId, productId);
    assert.equal(after.stock, before.stock, 'stock changed');
    assert.equal(after.orders, before.orders, 'an order-created record was written');
    assert.equal(after.unpaid, before.unpaid, 'the unpaid-order mark changed');
    if (token === 'kept') assert.equal(after.token, before.token, 'the token was touched');
    else assert.equal(after.token, null, 'the token is still live');
  }

  async function tokenFor(userId: string, productId: string, r: FlashRpc = rpc): Promise<string> {
    return (await r.issueToken({ userId, productId })).token;
  }

  describe('malformed requests → INVALID_ARGUMENT naming the field; nothing changes', () => {
    const cases: Array<[string, (u: string, t: string) => BuyRequest, RegExp]> = [
      ['empty user_id', (_u, t) => buyReq('', MAIN, t), /^user_id: /],
      ['user_id with a space', (_u, t) => buyReq('a b', MAIN, t), /^user_id: /],
      ['65-character user_id', (_u, t) => buyReq('u'.repeat(65), MAIN, t), /^user_id: /],
      ['empty product_id', (u, t) => buyReq(u, '', t), /^product_id: /],
      ['product_id with braces', (u, t) => buyReq(u, '{x}', t), /^product_id: /],
      ['quantity 0', (u, t) => buyReq(u, MAIN, t, { quantity: 0 }), /^quantity: /],
      ['negative quantity', (u, t) => buyReq(u, MAIN, t, { quantity: -1 }), /^quantity: /],
      ['quantity 1001', (u, t) => buyReq(u, MAIN, t, { quantity: 1001 }), /^quantity: /],
      ['129-character token', (u, _t) => buyReq(u, MAIN, 't'.repeat(129)), /^token: /],
      ['lower-case currency', (u, t) => buyReq(u, MAIN, t, { userCurrency: 'usd' }), /^user_currency: /],
      ['empty email', (u, t) => buyReq(u, MAIN, t, { email: '' }), /^email: /],
      ['malformed email', (u, t) => buyReq(u, MAIN, t, { email: 'not-an-email' }), /^email: /],
      ['no shipping address', (u, t) => buyReq(u, MAIN, t, { shippingAddress: undefined }), /^shipping_address: /],
      ['empty street', (u, t) => buyReq(u, MAIN, t, { shippingAddress: { ...ADDRESS, streetAddress: ' ' } }), /^shipping_address\.street_address: /],
      ['empty city', (u, t) => buyReq(u, MAIN, t, { shippingAddress: { ...ADDRESS, city: '' } }), /^shipping_address\.city: /],
      ['empty country', (u, t) => buyReq(u, MAIN, t, { shippingAddress: { ...ADDRESS, country: '' } }), /^shipping_address\.country: /],
      ['negative zip code', (u, t) => buyReq(u, MAIN, t, { shippingAddress: { ...ADDRESS, zipCode: -1 } }), /^shipping_address\.zip_code: /],
      ['a currency the item is not sold in (no converter)', (u, t) => buyReq(u, MAIN, t, { userCurrency: 'EUR' }), /^user_currency: /],
    ];
    for (const [name, make, details] of cases) {
      it(`Buy with ${name}`, async () => {
        const user = newUser();
        const token = await tokenFor(user, MAIN);
        const before = await state(user, MAIN);
        const err = await failure(rpc.buy(make(user, token)));
        assert.equal(err.code, status.INVALID_ARGUMENT, err.details);
        assert.match(err.details, details);
        await assertUnchanged(before, user, MAIN, 'kept');
      });
    }

    it('Buy with an over-long idempotency-key', async () => {
      const user = newUser();
      const token = await tokenFor(user, MAIN);
      const before = await state(user, MAIN);
      const err = await failure(rpc.buy(buyReq(user, MAIN, token), { metadata: { 'idempotency-key': 'k'.repeat(129) } }));
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.details, /^idempotency-key: /);
      await assertUnchanged(before, user, MAIN, 'kept');
    });

    it('IssueToken and GetSaleItem name their fields too', async () => {
      for (const [req, field] of [
        [{ userId: '', productId: MAIN }, 'user_id'],
        [{ userId: 'x', productId: '' }, 'product_id'],
        [{ userId: 'x', productId: 'bad id' }, 'product_id'],
      ] as const) {
        const err = await failure(rpc.issueToken(req));
        assert.equal(err.code, status.INVALID_ARGUMENT);
        assert.ok(err.details.startsWith(`${field}: `), err.details);
      }
      const err = await failure(rpc.getSaleItem({ productId: '' }));
      assert.equal(err.code, status.INVALID_ARGUMENT);
      assert.match(err.details, /^product_id: /);
    });
  });

  describe('unknown or non-sale items → NOT_FOUND', () => {
    for (const productId of ['NO-SUCH-ITEM', PLAIN]) {
      it(`${productId}: IssueToken, GetSaleItem and Buy`, async () => {
        const user = newUser();
        const before = await state(user, MAIN);
        const calls = [() => rpc.issueToken({ userId: user, productId }), () => rpc.getSaleItem({ productId }), () => rpc.buy(buyReq(user, productId, 'some-token'))];
        for (const call of calls) {
          const err = await failure(call());
          assert.equal(err.code, status.NOT_FOUND);
          assert.equal(err.details, `product_id: no flash-sale item with ID ${productId}`);
        }
        assert.equal(await fx.current.redis.get(fx.current.flashKey('token', user, productId)), null);
        await assertUnchanged(before, user, MAIN, 'kept');
      });
    }
  });

  describe('sale window', () => {
    it('IssueToken before the sale starts → FAILED_PRECONDITION "sale starts at …", no token stored', async () => {
      const user = newUser();
      const err = await failure(rpc.issueToken({ userId: user, productId: LATER }));
      assert.equal(err.code, status.FAILED_PRECONDITION);
      assert.match(err.details, /^sale starts at \d{4}-\d\d-\d\dT/);
      assert.equal(await fx.current.redis.get(fx.current.flashKey('token', user, LATER)), null);
    });

    it('Buy after the sale start moved into the future → NOT_STARTED; nothing reserved', async () => {
      const user = newUser();
      const token = await tokenFor(user, MOVE);
      const startsAt = new Date(Date.now() + 3_600_000);
      await fx.current.inventory.configureItem({ config: { productId: MOVE, limitPerUser: 1, flashSale: true, saleStartsAt: startsAt, saleEndsAt: undefined } }, ADMIN);
      const before = await state(user, MOVE);
      const reply = await rpc.buy(buyReq(user, MOVE, token));
      assert.equal(reply.result, BuyResult.BUY_RESULT_NOT_STARTED);
      assert.equal(reply.reason, `sale starts at ${startsAt.toISOString()}`);
      assert.equal(reply.orderId, '');
      await assertUnchanged(before, user, MOVE, 'consumed');
    });
  });

  describe('tokens (anti-resubmit)', () => {
    it('no token → INVALID_TOKEN; nothing changes', async () => {
      const user = newUser();
      const token = await tokenFor(user, MAIN);
      const before = await state(user, MAIN);
      const reply = await rpc.buy(buyReq(user, MAIN, ''));
      assert.equal(reply.result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      await assertUnchanged(before, user, MAIN, 'kept');
      assert.equal(before.token, token);
    });

    it('a wrong token → INVALID_TOKEN; the live token is kept and still works', async () => {
      const user = newUser();
      const token = await tokenFor(user, MAIN);
      const before = await state(user, MAIN);
      const reply = await rpc.buy(buyReq(user, MAIN, 'not-the-token'));
      assert.equal(reply.result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      await assertUnchanged(before, user, MAIN, 'kept');
      assert.equal((await rpc.buy(buyReq(user, MAIN, token))).result, BuyResult.BUY_RESULT_ACCEPTED);
    });

    it('a used token with another idempotency key → INVALID_TOKEN; one order only', async () => {
      const user = newUser();
      const token = await tokenFor(user, MAIN);
      const first = await rpc.buy(buyReq(user, MAIN, token), { metadata: { 'idempotency-key': `${user}-a` } });
      assert.equal(first.result, BuyResult.BUY_RESULT_ACCEPTED);
      const before = await state(user, MAIN);
      const again = await rpc.buy(buyReq(user, MAIN, token), { metadata: { 'idempotency-key': `${user}-b` } });
      assert.equal(again.result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      assert.match(again.reason, /already used/);
      await assertUnchanged(before, user, MAIN, 'kept');
    });

    it("another item's token, or one replaced by a newer IssueToken → INVALID_TOKEN", async () => {
      const user = newUser();
      const other = await tokenFor(user, ONE);
      const stale = await tokenFor(user, MAIN);
      const fresh = await tokenFor(user, MAIN);
      assert.notEqual(stale, fresh);
      const before = await state(user, MAIN);
      for (const token of [other, stale]) {
        assert.equal((await rpc.buy(buyReq(user, MAIN, token))).result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      }
      await assertUnchanged(before, user, MAIN, 'kept');
      assert.equal(before.token, fresh);
    });

    it("another user's token → INVALID_TOKEN", async () => {
      const owner = newUser();
      const thief = newUser();
      const token = await tokenFor(owner, MAIN);
      const before = await state(owner, MAIN);
      assert.equal((await rpc.buy(buyReq(thief, MAIN, token))).result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      await assertUnchanged(before, owner, MAIN, 'kept');
    });
  });

  describe('rate limits → RESOURCE_EXHAUSTED; nothing reserved, token kept', () => {
    const minute = 60_000;

    it('per user (Buy)', async () => {
      const { rpc: limited } = await fx.current.startFlash({
        settings: { rates: { buyUser: { name: 'flash buy per user', limit: 2, windowMs: minute }, buyIp: { name: 'flash buy per address', limit: 1000, windowMs: minute }, tokenUser: { name: 'flash token per user', limit: 1000, windowMs: minute } } },
      });
      const user = newUser();
      const token = await tokenFor(user, MAIN, limited);
      for (let i = 0; i < 2; i++) assert.equal((await limited.buy(buyReq(user, MAIN, `wrong-${i}`))).result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      const before = await state(user, MAIN);
      const err = await failure(limited.buy(buyReq(user, MAIN, token)));
      assert.equal(err.code, status.RESOURCE_EXHAUSTED);
      assert.match(err.details, /^rate limit exceeded \(flash buy per user\)/);
      assert.ok(!err.details.includes(user), 'the subject is not echoed');
      await assertUnchanged(before, user, MAIN, 'kept');
      // Another user is not affected.
      const other = newUser();
      assert.equal((await limited.buy(buyReq(other, MAIN, await tokenFor(other, MAIN, limited)))).result, BuyResult.BUY_RESULT_ACCEPTED);
    });

    it('per address: the last x-forwarded-for hop behind a trusted gateway', async () => {
      const { rpc: limited } = await fx.current.startFlash({
        settings: {
          trustForwardedFor: true,
          rates: { buyUser: { name: 'flash buy per user', limit: 1000, windowMs: minute }, buyIp: { name: 'flash buy per address', limit: 2, windowMs: minute }, tokenUser: { name: 'flash token per user', limit: 1000, windowMs: minute } },
        },
      });
      const fwd = (v: string) => ({ metadata: { 'x-forwarded-for': v } });
      assert.equal((await limited.buy(buyReq(newUser(), MAIN, 'x'), fwd('203.0.113.7'))).result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      // A client-supplied left part does not change the address the gateway appended.
      assert.equal((await limited.buy(buyReq(newUser(), MAIN, 'x'), fwd('198.51.100.1, 203.0.113.7'))).result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      const user = newUser();
      const token = await tokenFor(user, MAIN, limited);
      const before = await state(user, MAIN);
      const err = await failure(limited.buy(buyReq(user, MAIN, token), fwd('10.9.9.9, 203.0.113.7')));
      assert.equal(err.code, status.RESOURCE_EXHAUSTED);
      assert.match(err.details, /flash buy per address/);
      await assertUnchanged(before, user, MAIN, 'kept');
      // The same user from another address gets through.
      assert.equal((await limited.buy(buyReq(user, MAIN, token), fwd('203.0.113.8'))).result, BuyResult.BUY_RESULT_ACCEPTED);
    });

    it('per address: without the trusted-gateway flag x-forwarded-for is ignored (TCP peer)', async () => {
      const { rpc: limited } = await fx.current.startFlash({
        settings: {
          trustForwardedFor: false,
          rates: { buyUser: { name: 'flash buy per user', limit: 1000, windowMs: minute }, buyIp: { name: 'flash buy per address', limit: 2, windowMs: minute }, tokenUser: { name: 'flash token per user', limit: 1000, windowMs: minute } },
        },
      });
      for (const ip of ['192.0.2.1', '192.0.2.2']) {
        assert.equal((await limited.buy(buyReq(newUser(), MAIN, 'x'), { metadata: { 'x-forwarded-for': ip } })).result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      }
      const err = await failure(limited.buy(buyReq(newUser(), MAIN, 'x'), { metadata: { 'x-forwarded-for': '192.0.2.3' } }));
      assert.equal(err.code, status.RESOURCE_EXHAUSTED);
    });

    it('per user (IssueToken): the previous token stays valid', async () => {
      const { rpc: limited } = await fx.current.startFlash({
        settings: { rates: { buyUser: { name: 'flash buy per user', limit: 1000, windowMs: minute }, buyIp: { name: 'flash buy per address', limit: 1000, windowMs: minute }, tokenUser: { name: 'flash token per user', limit: 2, windowMs: minute } } },
      });
      const user = newUser();
      await tokenFor(user, MAIN, limited);
      const token = await tokenFor(user, MAIN, limited);
      const err = await failure(limited.issueToken({ userId: user, productId: MAIN }));
      assert.equal(err.code, status.RESOURCE_EXHAUSTED);
      assert.match(err.details, /flash token per user/);
      assert.equal(await fx.current.redis.get(fx.current.flashKey('token', user, MAIN)), token);
    });
  });

  describe('validators', () => {
    it('user: a frequent non-payer (threshold reached) → BLOCKED; below it → accepted', async () => {
      const user = newUser();
      for (let i = 0; i < 3; i++) await fx.current.hooks.markNonPayer(user);
      const before = await state(user, MAIN);
      const reply = await rpc.buy(buyReq(user, MAIN, await tokenFor(user, MAIN)));
      assert.equal(reply.result, BuyResult.BUY_RESULT_BLOCKED);
      assert.equal(reply.orderId, '');
      await assertUnchanged(before, user, MAIN, 'consumed');

      const almost = newUser();
      for (let i = 0; i < 2; i++) await fx.current.hooks.markNonPayer(almost);
      assert.equal((await rpc.buy(buyReq(almost, MAIN, await tokenFor(almost, MAIN)))).result, BuyResult.BUY_RESULT_ACCEPTED);
    });

    it('goods: quantity above the per-user limit → LIMIT_EXCEEDED; nothing reserved', async () => {
      const user = newUser();
      const token = await tokenFor(user, MAIN);
      const before = await state(user, MAIN);
      const reply = await rpc.buy(buyReq(user, MAIN, token, { quantity: 3 }));
      assert.equal(reply.result, BuyResult.BUY_RESULT_LIMIT_EXCEEDED);
      assert.equal(reply.reason, 'at most 2 per buyer');
      await assertUnchanged(before, user, MAIN, 'consumed');
    });

    it('unpaid order: a second Buy while the first is unpaid → UNPAID_ORDER_EXISTS with its id; after settle → accepted', async () => {
      const user = newUser();
      const first = await rpc.buy(buyReq(user, MAIN, await tokenFor(user, MAIN)));
      assert.equal(first.result, BuyResult.BUY_RESULT_ACCEPTED);
      const token = await tokenFor(user, MAIN);
      const before = await state(user, MAIN);
      assert.equal(before.unpaid, first.orderId);
      const second = await rpc.buy(buyReq(user, MAIN, token));
      assert.equal(second.result, BuyResult.BUY_RESULT_UNPAID_ORDER_EXISTS);
      assert.equal(second.orderId, first.orderId);
      await assertUnchanged(before, user, MAIN, 'consumed');

      // A settle naming another order leaves the mark; the real one clears it.
      assert.equal(await fx.current.hooks.orderSettled({ orderId: 'other-order', userId: user, productIds: [MAIN] }), 0);
      assert.equal(await fx.current.hooks.orderSettled({ orderId: first.orderId, userId: user, productIds: [MAIN] }), 1);
      const third = await rpc.buy(buyReq(user, MAIN, await tokenFor(user, MAIN)));
      assert.equal(third.result, BuyResult.BUY_RESULT_ACCEPTED);
    });

    it('inventory: a buyer at the per-user limit → LIMIT_EXCEEDED from Reserve; nothing reserved', async () => {
      const user = newUser();
      const first = await rpc.buy(buyReq(user, MAIN, await tokenFor(user, MAIN), { quantity: 2 }));
      assert.equal(first.result, BuyResult.BUY_RESULT_ACCEPTED);
      await fx.current.hooks.orderSettled({ orderId: first.orderId, userId: user, productIds: [MAIN] }); // paid
      const token = await tokenFor(user, MAIN);
      const before = await state(user, MAIN);
      const reply = await rpc.buy(buyReq(user, MAIN, token));
      assert.equal(reply.result, BuyResult.BUY_RESULT_LIMIT_EXCEEDED);
      assert.equal(reply.reason, 'at most 2 per buyer; you already hold 2');
      await assertUnchanged(before, user, MAIN, 'consumed');
    });

    it('stock: SOLD_OUT from the inventory sets the local flag; the next buyer is refused without an inventory call', async () => {
      let reserves = 0;
      const counting = (port: InventoryPort): InventoryPort => ({
        ...port,
        reserve: (order, opts) => {
          reserves++;
          return port.reserve(order, opts);
        },
      });
      const { rpc: r } = await fx.current.startFlash({ wrapInventory: counting, settings: { soldOutTtlMs: 600_000 } });
      const [a, b, c] = [newUser(), newUser(), newUser()];
      assert.equal((await r.buy(buyReq(a, ONE, await tokenFor(a, ONE, r)))).result, BuyResult.BUY_RESULT_ACCEPTED);
      const refusedB = await r.buy(buyReq(b, ONE, await tokenFor(b, ONE, r)));
      assert.equal(refusedB.result, BuyResult.BUY_RESULT_SOLD_OUT);
      assert.equal(reserves, 2);
      const token = await tokenFor(c, ONE, r);
      const before = await state(c, ONE);
      assert.equal(before.stock, 0);
      const refusedC = await r.buy(buyReq(c, ONE, token));
      assert.equal(refusedC.result, BuyResult.BUY_RESULT_SOLD_OUT);
      assert.equal(reserves, 2, 'the sold-out flag answered');
      await assertUnchanged(before, c, ONE, 'consumed');
    });
  });

  describe('idempotency', () => {
    it('the same Buy retried with one idempotency-key gets the same reply; one order', async () => {
      const user = newUser();
      const req = buyReq(user, MAIN, await tokenFor(user, MAIN));
      const md = { metadata: { 'idempotency-key': `${user}-key` } };
      const before = await state(user, MAIN);
      const replies = await Promise.all(Array.from({ length: 5 }, () => rpc.buy(req, md)));
      const again = await rpc.buy(req, md);
      const all: BuyResponse[] = [...replies, again];
      for (const r of all) assert.deepEqual(r, replies[0]);
      assert.equal(replies[0]!.result, BuyResult.BUY_RESULT_ACCEPTED);
      const after = await state(user, MAIN);
      assert.equal(after.stock, before.stock - 1);
      assert.equal(after.orders, before.orders + 1);
    });

    it('without a key, an identical resubmission replays the first reply (not "token used")', async () => {
      const user = newUser();
      const req = buyReq(user, MAIN, await tokenFor(user, MAIN));
      const first = await rpc.buy(req);
      const before = await state(user, MAIN);
      const again = await rpc.buy(req);
      assert.deepEqual(again, first);
      assert.equal(first.result, BuyResult.BUY_RESULT_ACCEPTED);
      await assertUnchanged(before, user, MAIN, 'kept');
    });

    it('one key with a different request → ALREADY_EXISTS; nothing changes', async () => {
      const user = newUser();
      const md = { metadata: { 'idempotency-key': `${user}-key` } };
      assert.equal((await rpc.buy(buyReq(user, MAIN, 'wrong'), md)).result, BuyResult.BUY_RESULT_INVALID_TOKEN);
      const token = await tokenFor(user, MAIN);
      const before = await state(user, MAIN);
      const err = await failure(rpc.buy(buyReq(user, MAIN, token), md));
      assert.equal(err.code, status.ALREADY_EXISTS);
      await assertUnchanged(before, user, MAIN, 'kept');
    });
  });

  describe('undecided attempts give the token back with their order id', () => {
    it('inventory unreachable → UNAVAILABLE; the retry with the same token reuses the order id', async () => {
      const { rpc: down } = await fx.current.startFlash({ inventoryAddress: '127.0.0.1:1' });
      const user = newUser();
      const token = await tokenFor(user, MAIN);
      const before = await state(user, MAIN);
      const err = await failure(down.buy(buyReq(user, MAIN, token)));
      assert.equal(err.code, status.UNAVAILABLE);
      const kept = await state(user, MAIN);
      assert.equal(kept.stock, before.stock);
      assert.equal(kept.orders, before.orders);
      const [liveToken, pendingId] = (kept.token ?? '').split(' ');
      assert.equal(liveToken, token);
      assert.ok(pendingId, 'the attempt\'s order id is kept with the token');
      const reply = await rpc.buy(buyReq(user, MAIN, token));
      assert.equal(reply.result, BuyResult.BUY_RESULT_ACCEPTED);
      assert.equal(reply.orderId, pendingId);
    });

    it('item not warmed → UNAVAILABLE; after WarmUp the same token buys', async () => {
      const user = newUser();
      const token = await tokenFor(user, COLD);
      const err = await failure(rpc.buy(buyReq(user, COLD, token)));
      assert.equal(err.code, status.UNAVAILABLE);
      assert.match(err.details, /not open for orders yet/);
      assert.equal(await fx.current.redisStock(COLD), -1);
      await fx.current.inventory.warmUp({ productIds: [COLD] }, ADMIN);
      const reply = await rpc.buy(buyReq(user, COLD, token));
      assert.equal(reply.result, BuyResult.BUY_RESULT_ACCEPTED);
      assert.equal(await fx.current.redisStock(COLD), 9);
    });

    it('a released order replayed by id → DUPLICATE naming it (never a second reservation)', async () => {
      const user = newUser();
      const token = await tokenFor(user, MAIN);
      const { rpc: down } = await fx.current.startFlash({ inventoryAddress: '127.0.0.1:1' });
      await failure(down.buy(buyReq(user, MAIN, token)));
      const pendingId = ((await fx.current.redis.get(fx.current.flashKey('token', user, MAIN))) ?? '').split(' ')[1]!;
      // The same order id reserved and released meanwhile (e.g. it did go through and was cancelled).
      const accepted = await rpc.buy(buyReq(user, MAIN, token));
      assert.equal(accepted.orderId, pendingId);
      await fx.current.inventory.release({ orderId: pendingId, reason: ReleaseReason.RELEASE_REASON_ADMIN, note: '' }, ADMIN);
      await fx.current.redis.set(fx.current.flashKey('token', user, MAIN), `${token} ${pendingId} ${Date.now()}`, 'PX', 60_000);
      await fx.current.hooks.orderSettled({ orderId: pendingId, userId: user, productIds: [MAIN] });
      const before = await state(user, MAIN);
      const reply = await rpc.buy(buyReq(user, MAIN, token), { metadata: { 'idempotency-key': `${user}-replay` } });
      assert.equal(reply.result, BuyResult.BUY_RESULT_DUPLICATE);
      assert.equal(reply.orderId, pendingId);
      await assertUnchanged(before, user, MAIN, 'consumed');
    });
  });
});
