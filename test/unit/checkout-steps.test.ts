// Reserve outcomes → PlaceOrder verdicts; the payment step's three fates (fake clients); order ids.
import assert from 'node:assert/strict';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ReleaseReason } from '../../src/gen/shop/v1/common';
import { ReserveOutcome, type RefusedLine, type ReserveResponse } from '../../src/gen/shop/v1/inventory';
import { BreakerOpenError } from '../../src/platform/breaker';
import { FailedPreconditionError, InternalError, InvalidArgumentError, UnavailableError } from '../../src/platform/errors';
import { toGrpcStatus } from '../../src/platform/grpc-status';
import { idempotencyKey } from '../../src/platform/idempotency';
import { orderIdFor, uuidV5 } from '../../src/services/checkout/order-id';
import { ChargeConflictError, chargeReserved, PaymentOutcomeUnknownError } from '../../src/services/checkout/payment-step';
import { OrderNoLongerReservedError, PurchaseLimitError, requireReserved, SoldOutError } from '../../src/services/checkout/reservation';
import { testLogger } from '../support/test-logger';

const LINE: RefusedLine = { lineIndex: 1, productId: 'OLJCESPC7Z', requested: 3, available: 1n, limitPerUser: 2, alreadyBought: 1 };

function reply(outcome: ReserveOutcome, extra: Partial<ReserveResponse> = {}): ReserveResponse {
  return { outcome, orderId: 'o-1', refusedLine: undefined, firstOutcome: ReserveOutcome.RESERVE_OUTCOME_UNSPECIFIED, reservedAt: undefined, released: false, ...extra };
}

function serviceError(code: number, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() }) as ServiceError;
}

describe('checkout: Reserve outcomes', () => {
  it('RESERVED, and a DUPLICATE of our own live reservation, go on to payment', () => {
    requireReserved(reply(ReserveOutcome.RESERVE_OUTCOME_RESERVED), 'o-1');
    requireReserved(reply(ReserveOutcome.RESERVE_OUTCOME_DUPLICATE, { firstOutcome: ReserveOutcome.RESERVE_OUTCOME_RESERVED }), 'o-1');
  });

  it('SOLD_OUT / LIMIT_EXCEEDED → FAILED_PRECONDITION naming the product; NOT_WARMED → UNAVAILABLE', () => {
    assert.throws(() => requireReserved(reply(ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT, { refusedLine: LINE }), 'o-1'),
      (e: unknown) => e instanceof SoldOutError && e.message === 'product OLJCESPC7Z is sold out (requested 3, 1 left)');
    assert.throws(() => requireReserved(reply(ReserveOutcome.RESERVE_OUTCOME_LIMIT_EXCEEDED, { refusedLine: LINE }), 'o-1'),
      (e: unknown) => e instanceof PurchaseLimitError && /OLJCESPC7Z: at most 2 per customer/.test(e.message));
    assert.throws(() => requireReserved(reply(ReserveOutcome.RESERVE_OUTCOME_NOT_WARMED, { refusedLine: LINE }), 'o-1'),
      (e: unknown) => e instanceof UnavailableError && /OLJCESPC7Z/.test(e.message));
  });

  it('a DUPLICATE replays the first refusal; a released one cannot be paid any more', () => {
    assert.throws(() => requireReserved(reply(ReserveOutcome.RESERVE_OUTCOME_DUPLICATE, { firstOutcome: ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT, refusedLine: LINE }), 'o-1'), SoldOutError);
    assert.throws(() => requireReserved(reply(ReserveOutcome.RESERVE_OUTCOME_DUPLICATE, { firstOutcome: ReserveOutcome.RESERVE_OUTCOME_RESERVED, released: true }), 'o-1'), OrderNoLongerReservedError);
    assert.throws(() => requireReserved(reply(ReserveOutcome.RESERVE_OUTCOME_SOLD_OUT), 'o-1'), InternalError);
  });
});

describe('checkout: payment step', () => {
  const order = { orderId: 'o-1', total: { currencyCode: 'USD', units: 10n, nanos: 0 }, card: { creditCardNumber: '4432801561520454', creditCardCvv: 1, creditCardExpirationYear: 2030, creditCardExpirationMonth: 1 } };

  function fakeClients(charge: () => Promise<string>) {
    const released: Array<[string, ReleaseReason, string]> = [];
    const keys: string[] = [];
    return {
      released,
      keys,
      clients: {
        charge: async (_a: unknown, _c: unknown, orderId: string) => {
          keys.push(orderId);
          return charge();
        },
        release: async (orderId: string, reason: ReleaseReason, note: string) => {
          released.push([orderId, reason, note]);
          return { outcome: 1, lines: [] };
        },
      },
    };
  }

  it('charged → transaction id; charged with idempotency key = order id; nothing released', async () => {
    const f = fakeClients(async () => 'tx-1');
    assert.equal(await chargeReserved({ clients: f.clients, logger: testLogger() }, order), 'tx-1');
    assert.deepEqual(f.keys, ['o-1']);
    assert.deepEqual(f.released, []);
  });

  const declines: Array<[string, number, number, string]> = [
    ['INVALID_ARGUMENT', status.INVALID_ARGUMENT, status.INVALID_ARGUMENT, 'credit_card.credit_card_number: Credit card info is invalid'],
    ['FAILED_PRECONDITION', status.FAILED_PRECONDITION, status.FAILED_PRECONDITION, 'Sorry, we cannot process amex credit cards. Only VISA or MasterCard is accepted.'],
    ['upstream status 400', 400, status.FAILED_PRECONDITION, 'Your credit card (ending 0454) expired on 1/2020'],
  ];
  for (const [name, code, expected, details] of declines) {
    it(`declined (${name}) → released once as PAYMENT_DECLINED, CANCELLED announced, the payment's reason returned`, async () => {
      const f = fakeClients(async () => { throw serviceError(code, details); });
      const cancelled: string[] = [];
      const err = await chargeReserved({ clients: f.clients, logger: testLogger(), onDeclined: async (id, reason) => void cancelled.push(`${id}: ${reason}`) }, order).then(
        () => assert.fail('expected a decline'),
        (e: unknown) => e,
      );
      assert.deepEqual(toGrpcStatus(err), { code: expected, details, unexpected: false });
      assert.deepEqual(f.released, [['o-1', ReleaseReason.RELEASE_REASON_PAYMENT_DECLINED, details]]);
      assert.deepEqual(cancelled, [`o-1: ${details}`]);
    });
  }

  for (const [name, failure] of [
    ['UNAVAILABLE', serviceError(status.UNAVAILABLE, 'connect refused')],
    ['DEADLINE_EXCEEDED', serviceError(status.DEADLINE_EXCEEDED, 'deadline')],
    ['open breaker', new BreakerOpenError('payment')],
    ['INTERNAL', serviceError(status.INTERNAL, 'oops')],
  ] as const) {
    it(`unknown outcome (${name}) → reservation kept, UNAVAILABLE "payment outcome unknown; order o-1 pending"`, async () => {
      const f = fakeClients(async () => { throw failure; });
      const err = await chargeReserved({ clients: f.clients, logger: testLogger() }, order).catch((e: unknown) => e);
      assert.ok(err instanceof PaymentOutcomeUnknownError);
      assert.deepEqual(toGrpcStatus(err), { code: status.UNAVAILABLE, details: 'payment outcome unknown; order o-1 pending', unexpected: false });
      assert.deepEqual(f.released, []);
    });
  }

  it('ALREADY_EXISTS (order id charged with another amount) → FAILED_PRECONDITION, nothing released', async () => {
    const f = fakeClients(async () => { throw serviceError(status.ALREADY_EXISTS, 'key reused'); });
    const err = await chargeReserved({ clients: f.clients, logger: testLogger() }, order).catch((e: unknown) => e);
    assert.ok(err instanceof ChargeConflictError && err instanceof FailedPreconditionError);
    assert.deepEqual(f.released, []);
  });

  it('a release that fails after a decline still returns the decline (the timeout cancel releases later)', async () => {
    const clients = {
      charge: async () => { throw serviceError(status.INVALID_ARGUMENT, 'credit_card.credit_card_number: bad'); },
      release: async () => { throw serviceError(status.UNAVAILABLE, 'down'); },
    };
    const err = await chargeReserved({ clients, logger: testLogger() }, order).catch((e: unknown) => e);
    assert.ok(err instanceof InvalidArgumentError);
  });
});

describe('checkout: order ids', () => {
  it('a key gives the same v5 UUID on every retry; different keys (users, epochs, sources) give different ids', () => {
    const scope = { method: '/hipstershop.CheckoutService/PlaceOrder', user: 'u-1' };
    const client = idempotencyKey(scope, 'k-1', []);
    assert.equal(orderIdFor(client), orderIdFor(idempotencyKey(scope, 'k-1', [])));
    assert.match(orderIdFor(client), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(orderIdFor(client), orderIdFor(idempotencyKey({ ...scope, user: 'u-2' }, 'k-1', [])));
    const derived = (epoch: string) => idempotencyKey(scope, undefined, ['req', 'cart', epoch]);
    assert.equal(orderIdFor(derived('e1')), orderIdFor(derived('e1')));
    assert.notEqual(orderIdFor(derived('e1')), orderIdFor(derived('e2')));
    assert.equal(uuidV5('x'), uuidV5('x'));
  });
});
