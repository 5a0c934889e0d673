import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/platform/errors';
import type { ChargeRepo } from '../../src/services/payment/charge-repo';
import {
  ExpiredCreditCardError,
  IdempotencyConflictError,
  InvalidCreditCardError,
} from '../../src/services/payment/errors';
import { createPaymentProcessor } from '../../src/services/payment/processor';
import type { ChargeInput, ChargeRecord } from '../../src/services/payment/types';

/** In-memory stand-in with the same unique-key semantics as the MySQL table (unit tests only). */
function fakeRepo(): ChargeRepo & { rows: ChargeRecord[] } {
  const rows: ChargeRecord[] = [];
  return {
    rows,
    findByTransactionId: async (id) => rows.find((r) => r.transactionId === id),
    findByIdempotencyKey: async (key) => rows.find((r) => r.idempotencyKey === key),
    async insert(record) {
      await Promise.resolve(); // let concurrent callers interleave like a real round trip
      const clash = rows.some(
        (r) => r.transactionId === record.transactionId || (record.idempotencyKey !== null && r.idempotencyKey === record.idempotencyKey),
      );
      if (clash) return 'duplicate';
      rows.push(record);
      return 'inserted';
    },
    async markRefunded(id, at) {
      const row = rows.find((r) => r.transactionId === id && r.refundedAt === null);
      if (row === undefined) return false;
      row.refundedAt = at;
      return true;
    },
  };
}

const NOW = new Date('2026-11-21T12:00:00Z');
const req = (units = 42n, number = '4432-8015-6152-0454', month = 12, year = 2030): ChargeInput => ({
  amount: { currencyCode: 'USD', units, nanos: 500_000_000 },
  creditCard: { creditCardNumber: number, creditCardCvv: 123, creditCardExpirationMonth: month, creditCardExpirationYear: year },
});

describe('payment processor', () => {
  let ids = 0;
  const nextId = (): string => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`;

  it('records a charge and returns a uuid v4 by default', async () => {
    const repo = fakeRepo();
    const p = createPaymentProcessor({ repo, now: () => NOW });
    const { transactionId, replayed } = await p.charge(req());
    assert.match(transactionId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(replayed, false);
    assert.deepEqual(repo.rows, [{
      transactionId, idempotencyKey: null, amount: { currencyCode: 'USD', units: 42n, nanos: 500_000_000 },
      cardBrand: 'visa', cardLast4: '0454', createdAt: NOW, refundedAt: null,
    }]);
  });

  it('without a key every call is a new charge', async () => {
    const repo = fakeRepo();
    const p = createPaymentProcessor({ repo, now: () => NOW, newTransactionId: nextId });
    const a = await p.charge(req());
    const b = await p.charge(req());
    assert.notEqual(a.transactionId, b.transactionId);
    assert.equal(repo.rows.length, 2);
  });

  it('same key → first transaction id, one row (sequential)', async () => {
    const repo = fakeRepo();
    const p = createPaymentProcessor({ repo, now: () => NOW, newTransactionId: nextId });
    const first = await p.charge(req(), 'order-1');
    const again = await p.charge(req(), 'order-1');
    assert.equal(again.transactionId, first.transactionId);
    assert.equal(again.replayed, true);
    assert.equal(repo.rows.length, 1);
  });

  it('same key → one charge under concurrency', async () => {
    const repo = fakeRepo();
    const p = createPaymentProcessor({ repo, now: () => NOW, newTransactionId: nextId });
    const results = await Promise.all(Array.from({ length: 5 }, () => p.charge(req(), 'order-2')));
    assert.equal(new Set(results.map((r) => r.transactionId)).size, 1);
    assert.equal(results.filter((r) => !r.replayed).length, 1);
    assert.equal(repo.rows.length, 1);
  });

  it('replay answers even after the card expired (the charge already happened)', async () => {
    const repo = fakeRepo();
    let now = NOW;
    const p = createPaymentProcessor({ repo, now: () => now, newTransactionId: nextId });
    const first = await p.charge(req(42n, '4432-8015-6152-0454', 11, 2026), 'order-3');
    now = new Date('2027-01-01T00:00:00Z');
    assert.equal((await p.charge(req(42n, '4432-8015-6152-0454', 11, 2026), 'order-3')).transactionId, first.transactionId);
    await assert.rejects(p.charge(req(42n, '4432-8015-6152-0454', 11, 2026), 'order-4'), ExpiredCreditCardError);
  });

  it('same key with a different amount or card → IdempotencyConflictError', async () => {
    const repo = fakeRepo();
    const p = createPaymentProcessor({ repo, now: () => NOW, newTransactionId: nextId });
    await p.charge(req(), 'order-5');
    await assert.rejects(p.charge(req(43n), 'order-5'), IdempotencyConflictError);
    await assert.rejects(p.charge(req(42n, '5555 5555 5555 4444'), 'order-5'), IdempotencyConflictError);
    await assert.rejects(p.charge({ creditCard: req().creditCard }, 'order-5'), IdempotencyConflictError);
    assert.equal(repo.rows.length, 1);
  });

  it('refusals record nothing', async () => {
    const repo = fakeRepo();
    const p = createPaymentProcessor({ repo, now: () => NOW, newTransactionId: nextId });
    await assert.rejects(p.charge(req(42n, '4432-8015-6152-0455'), 'k'), InvalidCreditCardError);
    await assert.rejects(p.charge(req(-1n)), InvalidArgumentError);
    assert.equal(repo.rows.length, 0);
    // A refused attempt does not burn the key.
    assert.equal((await p.charge(req(), 'k')).replayed, false);
  });

  it('rejects malformed idempotency keys naming the metadata key', async () => {
    const p = createPaymentProcessor({ repo: fakeRepo(), now: () => NOW });
    for (const key of ['x'.repeat(129), 'has space', 'tab\t']) {
      await assert.rejects(p.charge(req(), key), (e: unknown) => e instanceof InvalidArgumentError && e.field === 'idempotency-key');
    }
  });

  it('an empty key means no key', async () => {
    const repo = fakeRepo();
    const p = createPaymentProcessor({ repo, now: () => NOW, newTransactionId: nextId });
    await p.charge(req(), '');
    await p.charge(req(), '');
    assert.equal(repo.rows.length, 2);
    assert.equal(repo.rows[0].idempotencyKey, null);
  });
});
