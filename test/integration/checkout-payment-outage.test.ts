// Payment goes down (a TCP proxy in front of it cuts and refuses connections): calls that reached the
// charge answer UNAVAILABLE "payment outcome unknown; order <id> pending" and keep their reservation
// for the cleanup; once the breaker opens, PlaceOrder fails fast with "payment unavailable" before
// reserving anything. No stock leaks: the pending orders released the way the timeout cancel does
// restore the stock exactly. Payment comes back → half-open trial → closed, orders go through again.
import assert from 'node:assert/strict';
import { status, type ServiceError } from '@grpc/grpc-js';
import { uniqueId } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import { PLENTY, placeOrderRequest, startCheckoutHarness, type CheckoutHarness } from './checkout-harness';
import { waitFor } from './stock-writer-harness';

const PENDING = /^payment outcome unknown; order ([0-9a-f-]{36}) pending$/;

describe('checkout: payment outage (breaker)', function () {
  const tdb = useTestDatabase();
  let h: CheckoutHarness;

  before(async () => {
    h = await startCheckoutHarness(tdb.current.db, {
      paymentViaProxy: true,
      settings: { breaker: { timeoutMs: 3_000, errorThresholdPercentage: 50, resetTimeoutMs: 3_000, volumeThreshold: 4, rollingWindowMs: 30_000 } },
    });
  });
  after(async () => {
    await h?.stop();
  });

  async function ordersRecorded(): Promise<number> {
    let n = 0;
    for (const shard of h.catalog.stock.keys.allShards()) n += await h.redis.xlen(h.catalog.stock.keys.ordersStream(shard));
    return n;
  }

  const userOf = new Map<string, string>();

  async function attempt(existingUser?: string): Promise<{ ok: true; orderId: string } | { ok: false; err: ServiceError }> {
    const user = existingUser ?? uniqueId('u');
    if (!existingUser) await h.addItem(user, PLENTY.product.id, 1);
    try {
      const res = await h.placeOrder(placeOrderRequest(user));
      return { ok: true, orderId: res.order!.orderId };
    } catch (err) {
      return { ok: false, err: err as ServiceError };
    }
  }

  it('opens after the threshold, fails fast without reserving, leaks no stock, closes when payment returns', async () => {
    const proxy = h.paymentProxy!;
    const initial = await h.stock(PLENTY.product.id);
    const first = await attempt();
    assert.ok(first.ok, 'payment healthy at first');
    let paid = 1;

    await proxy.down();
    const pending: string[] = [];
    let fastFail: ServiceError | undefined;
    for (let i = 0; i < 20 && !fastFail; i++) {
      const user = uniqueId('u');
      await h.addItem(user, PLENTY.product.id, 1);
      const r = await attempt(user);
      assert.ok(!r.ok, 'payment is down');
      assert.equal(r.err.code, status.UNAVAILABLE, r.err.details);
      const m = PENDING.exec(r.err.details);
      if (m) {
        pending.push(m[1]!);
        userOf.set(m[1]!, user);
      } else fastFail = r.err;
    }
    assert.ok(fastFail, 'the breaker opened');
    assert.equal(fastFail.details, 'payment unavailable');
    assert.ok(pending.length >= 1, 'calls that reached payment before the breaker opened are pending');
    assert.equal(h.checkout.breakers.breakerStates().payment, 'open');

    // While open: refused before Reserve — no stock taken, no order recorded.
    let checkedOpen = 0;
    for (let i = 0; i < 3; i++) {
      const stockBefore = await h.stock(PLENTY.product.id);
      const ordersBefore = await ordersRecorded();
      if (h.checkout.breakers.breakerStates().payment !== 'open') break; // reset timeout passed: the next call is a trial
      const r = await attempt();
      assert.ok(!r.ok && r.err.code === status.UNAVAILABLE);
      const m = PENDING.exec(r.err.details);
      if (m) {
        pending.push(m[1]!); // it became the half-open trial meanwhile
        continue;
      }
      assert.equal(r.err.details, 'payment unavailable');
      assert.equal(await h.stock(PLENTY.product.id), stockBefore);
      assert.equal(await ordersRecorded(), ordersBefore);
      checkedOpen++;
    }
    assert.ok(checkedOpen > 0, 'at least one call met the open breaker');

    // Pending orders hold their units (nothing charged) until the cleanup releases them.
    for (const id of pending) assert.equal(await h.charges(id), 0);
    assert.equal(await h.stock(PLENTY.product.id), initial - paid - pending.length);

    // Payment returns: after resetTimeout the next call is the trial; it closes the breaker. A trial
    // can still meet the channel's reconnect backoff, so retry until one goes through.
    await proxy.up();
    let closedBy: string | undefined;
    await waitFor('a successful trial order after payment returned', async () => {
      if (h.checkout.breakers.breakerStates().payment === 'open') return false;
      const r = await attempt();
      if (r.ok) {
        closedBy = r.orderId;
        return true;
      }
      const m = PENDING.exec(r.err.details);
      if (m) pending.push(m[1]!);
      return false;
    }, 60_000);
    paid += 1;
    assert.equal(h.checkout.breakers.breakerStates().payment, 'closed');
    assert.ok((h.checkout.breakers.eventCounts().payment?.close ?? 0) >= 1);
    assert.equal(await h.charges(closedBy!), 1);
    const again = await attempt();
    assert.ok(again.ok, 'orders go through again');
    paid += 1;

    // The buyer of a pending order retries (same request, same cart, no idempotency-key): it meets its
    // own order — same id, no second reservation, one charge.
    const retried = pending.find(id => userOf.has(id))!;
    const stockBeforeRetry = await h.stock(PLENTY.product.id);
    const retry = await attempt(userOf.get(retried));
    assert.ok(retry.ok, 'the retry goes through');
    assert.equal(retry.orderId, retried);
    assert.equal(await h.stock(PLENTY.product.id), stockBeforeRetry, 'no second reservation');
    assert.equal(await h.charges(retried), 1);
    pending.splice(pending.indexOf(retried), 1);
    paid += 1;

    // No leak: releasing the pending orders (the order service's timeout cancel) restores the stock exactly.
    assert.equal(await h.stock(PLENTY.product.id), initial - paid - pending.length);
    for (const id of pending) await h.releaseAsCleanup(id);
    assert.equal(await h.stock(PLENTY.product.id), initial - paid);
    for (const id of pending) assert.equal(await h.charges(id), 0, `pending order ${id} was never charged`);
  });
});
