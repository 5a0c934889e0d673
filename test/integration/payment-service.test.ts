// PaymentService over real gRPC with charges in a real MariaDB database, called the way upstream
// clients do (proto-loader, keepCase, longs as String).
import assert from 'node:assert/strict';
import { type Client, Metadata, status } from '@grpc/grpc-js';
import { eq } from 'drizzle-orm';
import { PaymentServiceService } from '../../src/gen/hipstershop/demo';
import { createDatabase } from '../../src/platform/db';
import { createChargeRepo } from '../../src/services/payment/charge-repo';
import { createPaymentProcessor } from '../../src/services/payment/processor';
import { paymentCharges } from '../../src/services/payment/schema';
import { createPaymentHandlers } from '../../src/services/payment/server';
import { uniqueId } from '../support/ids';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { type TestServer, startTestServer } from '../support/test-server';
import { rejectsWith, unary, upstreamClient } from '../support/upstream-client';

function charge(client: Client, req: object, key?: string): Promise<{ transaction_id: string }> {
  const md = new Metadata();
  if (key !== undefined) md.set('idempotency-key', key);
  return unary(client, 'Charge', req, md);
}

const NOW = new Date('2026-11-21T12:00:00Z');
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const card = (number = '4432-8015-6152-0454', month = 12, year = 2030) => ({
  credit_card_number: number, credit_card_cvv: 672, credit_card_expiration_year: year, credit_card_expiration_month: month,
});
const request = (units: number | string = 42, number?: string, month?: number, year?: number) => ({
  amount: { currency_code: 'USD', units, nanos: 500_000_000 },
  credit_card: card(number, month, year),
});

describe('payment service (gRPC + MariaDB, upstream-style client)', () => {
  const testDb = useTestDatabase();

  /** A payment server with its own pool, like a freshly started process. */
  async function startPayment(): Promise<{ server: TestServer; client: Client; close(): Promise<void> }> {
    const database = createDatabase(testDb.current.config, { logger: testLogger('payment-db') });
    const processor = createPaymentProcessor({ repo: createChargeRepo(database.db), now: () => NOW });
    const server = await startTestServer(s => s.add(PaymentServiceService, createPaymentHandlers(processor)));
    const client = upstreamClient('PaymentService', server.address);
    return {
      server,
      client,
      async close() {
        client.close();
        await server.stop();
        await database.close();
      },
    };
  }

  const rows = () => testDb.current.db.select().from(paymentCharges);
  const rowsFor = (key: string) => testDb.current.db.select().from(paymentCharges).where(eq(paymentCharges.idempotencyKey, key));

  let svc: Awaited<ReturnType<typeof startPayment>>;
  before(async () => {
    svc = await startPayment();
  });
  after(async () => {
    await svc?.close();
  });

  it('charges a valid VISA: uuid v4 transaction id, row recorded with amount and last 4', async () => {
    const { transaction_id } = await charge(svc.client, request('9007199254740993'));
    assert.match(transaction_id, UUID_V4);
    const [row] = await testDb.current.db.select().from(paymentCharges).where(eq(paymentCharges.transactionId, transaction_id));
    assert.deepEqual(
      { ...row },
      {
        transactionId: transaction_id, idempotencyKey: null, amountCurrency: 'USD', amountUnits: 9007199254740993n,
        amountNanos: 500_000_000, cardBrand: 'visa', cardLast4: '0454', createdAt: NOW, refundedAt: null,
      },
    );
  });

  it('charges a MasterCard', async () => {
    assert.match((await charge(svc.client, request(1, '5555 5555 5555 4444'))).transaction_id, UUID_V4);
  });

  describe('refusals: precise code, upstream wording, nothing recorded', () => {
    const refusals: Array<[string, object, status, string]> = [
      ['bad Luhn', request(1, '4432-8015-6152-0455'), status.INVALID_ARGUMENT, 'credit_card.credit_card_number: Credit card info is invalid'],
      ['unknown brand', request(1, '9999 9999 9999 9995'), status.INVALID_ARGUMENT, 'credit_card.credit_card_number: Credit card info is invalid'],
      ['empty number', request(1, ''), status.INVALID_ARGUMENT, 'credit_card.credit_card_number: is required'],
      ['amex', request(1, '378282246310005'), status.FAILED_PRECONDITION, 'Sorry, we cannot process amex credit cards. Only VISA or MasterCard is accepted.'],
      ['discover', request(1, '6011111111111117'), status.FAILED_PRECONDITION, 'Sorry, we cannot process discover credit cards. Only VISA or MasterCard is accepted.'],
      ['expired last month', request(1, undefined, 10, 2026), status.FAILED_PRECONDITION, 'Your credit card (ending 0454) expired on 10/2026'],
      ['month 13', request(1, undefined, 13, 2030), status.INVALID_ARGUMENT, 'credit_card.credit_card_expiration_month: must be 1-12'],
      ['negative amount', { ...request(), amount: { currency_code: 'USD', units: -1, nanos: 0 } }, status.INVALID_ARGUMENT, 'amount: must not be negative'],
      ['mixed-sign amount', { ...request(), amount: { currency_code: 'USD', units: 1, nanos: -1 } }, status.INVALID_ARGUMENT, 'amount: units and nanos must have the same sign'],
      ['no amount', { credit_card: card() }, status.INVALID_ARGUMENT, 'amount: is required'],
      ['no card', { amount: request().amount }, status.INVALID_ARGUMENT, 'credit_card: is required'],
    ];
    for (const [name, req, code, details] of refusals) {
      it(`${name} → ${status[code]}`, async () => {
        const key = uniqueId('refused');
        await assert.rejects(charge(svc.client, req, key), rejectsWith(code, details));
        assert.equal((await rowsFor(key)).length, 0);
      });
    }

    it('the current expiry month is still accepted', async () => {
      assert.match((await charge(svc.client, request(1, undefined, 11, 2026))).transaction_id, UUID_V4);
    });
  });

  it('five concurrent charges with one idempotency key → one charge, five identical replies', async () => {
    const key = uniqueId('order');
    const replies = await Promise.all(Array.from({ length: 5 }, () => charge(svc.client, request(), key)));
    assert.equal(new Set(replies.map(r => r.transaction_id)).size, 1);
    assert.equal((await rowsFor(key)).length, 1);
  });

  it('same key, different amount → ALREADY_EXISTS, first charge untouched', async () => {
    const key = uniqueId('order');
    const first = await charge(svc.client, request(10), key);
    await assert.rejects(charge(svc.client, request(11), key), rejectsWith(status.ALREADY_EXISTS, /already used for a different charge/));
    const stored = await rowsFor(key);
    assert.equal(stored.length, 1);
    assert.equal(stored[0]?.transactionId, first.transaction_id);
    assert.equal(stored[0]?.amountUnits, 10n);
  });

  it('a charge survives a payment-service restart: the replay after restart returns the same transaction', async () => {
    const key = uniqueId('order');
    const before = await charge(svc.client, request(), key);
    await svc.close();
    svc = await startPayment();
    const after = await charge(svc.client, request(), key);
    assert.equal(after.transaction_id, before.transaction_id);
    assert.equal((await rowsFor(key)).length, 1);
    const repo = createChargeRepo(testDb.current.db);
    assert.equal((await repo.findByTransactionId(before.transaction_id))?.cardLast4, '0454');
  });

  it('a refund mark is set once', async () => {
    const { transaction_id } = await charge(svc.client, request());
    const repo = createChargeRepo(testDb.current.db);
    const at = new Date('2026-11-22T08:00:00.123Z');
    assert.equal(await repo.markRefunded(transaction_id, at), true);
    assert.equal(await repo.markRefunded(transaction_id, new Date()), false);
    assert.deepEqual((await repo.findByTransactionId(transaction_id))?.refundedAt, at);
    assert.equal(await repo.markRefunded('00000000-0000-4000-8000-000000000000', at), false);
  });

  it('charges without a key are each recorded', async () => {
    const before = (await rows()).length;
    await charge(svc.client, request());
    await charge(svc.client, request());
    assert.equal((await rows()).length, before + 2);
  });
});
