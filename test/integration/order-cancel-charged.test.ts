// An unpaid order that was charged after all (PlaceOrder charged, then its PAID event was lost while the
// broker was down — found by the fault-injection suite) is settled PAID by its payment deadline instead of
// being cancelled and restocked; a refunded charge does not count. Real MariaDB and RocketMQ (cancel tx).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { OrderSource, ReleaseReason, type OrderDraft } from '../../src/gen/shop/v1/common';
import { systemClock } from '../../src/platform/clock';
import { cancelOrder, type CancelOrderDeps } from '../../src/services/order/cancel-order';
import { createChargeLookup } from '../../src/services/order/clients/charge-lookup';
import type { InventoryReleaser } from '../../src/services/order/clients/inventory-releaser';
import { orderFromDraft } from '../../src/services/order/draft';
import { createOrderRepo, type OrderRepo } from '../../src/services/order/order-repo';
import { settleIfCharged } from '../../src/services/order/settle-charged';
import { TIMEOUT_CANCEL_REASON } from '../../src/services/order/workers/cleanup-scan';
import { createChargeRepo, type ChargeRepo } from '../../src/services/payment/charge-repo';
import { uniqueId } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { startCancelTx, type CancelTxFixture } from './order/cancel-tx-fixture';

const logger = testLogger('cancel-charged');

describe('cancel of an unpaid order that was charged (lost PAID event)', function () {
  this.timeout(60_000);
  const tdb = useTestDatabase();
  let repo: OrderRepo;
  let charges: ChargeRepo;
  let cancelTx: CancelTxFixture;
  let deps: CancelOrderDeps;
  const released: string[] = [];

  before(async () => {
    repo = createOrderRepo(tdb.current.db, systemClock);
    charges = createChargeRepo(tdb.current.db);
    cancelTx = await startCancelTx({ repo, mysqlUrl: tdb.current.config.mysql.url, logger });
    // A settled order must never reach the inventory: record any release so the test can say so.
    const inventory: InventoryReleaser = {
      async release(orderId) {
        released.push(orderId);
        throw new Error('no inventory in this suite');
      },
    };
    deps = { repo, inventory, clock: systemClock, logger, tx: cancelTx.tx, charges: createChargeLookup(charges) };
  });

  after(async () => {
    await cancelTx?.stop();
  });

  async function expiredPlaceOrder(): Promise<string> {
    const createdAt = new Date(Date.now() - 60_000);
    const draft: OrderDraft = {
      orderId: uniqueId('charged'),
      userId: uniqueId('u'),
      source: OrderSource.ORDER_SOURCE_PLACE_ORDER,
      userCurrency: 'USD',
      email: 'buyer@example.com',
      shippingAddress: { streetAddress: '1 Main St', city: 'Springfield', state: 'IL', country: 'US', zipCode: 62701 },
      items: [{ productId: 'OLJCESPC7Z', quantity: 1, unitCost: { currencyCode: 'USD', units: 19n, nanos: 990_000_000 } }],
      shippingCost: { currencyCode: 'USD', units: 8n, nanos: 990_000_000 },
      total: { currencyCode: 'USD', units: 28n, nanos: 980_000_000 },
      createdAt,
      expiresAt: new Date(createdAt.getTime() + 1_000),
      idempotencyKey: '',
    };
    await repo.insertBatch([orderFromDraft(draft, createdAt)]);
    return draft.orderId;
  }

  async function charge(orderId: string, refunded = false): Promise<string> {
    const transactionId = randomUUID();
    await charges.insert({
      transactionId,
      idempotencyKey: orderId,
      amount: { currencyCode: 'USD', units: 28n, nanos: 980_000_000 },
      cardBrand: 'visa',
      cardLast4: '0454',
      createdAt: new Date(),
      refundedAt: refunded ? new Date() : null,
    });
    return transactionId;
  }

  it('the payment deadline settles a charged order as PAID: never cancelled, stock never released', async () => {
    const orderId = await expiredPlaceOrder();
    const transactionId = await charge(orderId);
    const r = await cancelOrder(deps, orderId, { reason: TIMEOUT_CANCEL_REASON, releaseReason: ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT });
    assert.equal(r.kind, 'refused');
    assert.equal(r.kind === 'refused' && r.current, 'PAID');
    const row = await repo.getHeader(orderId);
    assert.equal(row?.status, 'PAID');
    assert.equal(row?.transactionId, transactionId);
    assert.deepEqual(released, []);
    // A second deadline (redelivered timer, backstop scan) finds it paid too.
    const again = await cancelOrder(deps, orderId, { reason: TIMEOUT_CANCEL_REASON, releaseReason: ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT });
    assert.equal(again.kind === 'refused' && again.current, 'PAID');
  });

  it('a refunded charge, or none, leaves the order to be cancelled', async () => {
    const refunded = await expiredPlaceOrder();
    await charge(refunded, true);
    assert.deepEqual(await settleIfCharged(deps, refunded), { kind: 'not-charged' });
    const none = await expiredPlaceOrder();
    assert.deepEqual(await settleIfCharged(deps, none), { kind: 'not-charged' });
    assert.equal((await repo.getHeader(none))?.status, 'PENDING_PAYMENT');
  });
});
