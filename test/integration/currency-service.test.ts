// CurrencyService over real gRPC, called the way upstream clients do (proto-loader, keepCase, longs as String).
import assert from 'node:assert/strict';
import { type Client, status } from '@grpc/grpc-js';
import { CurrencyServiceService } from '../../src/gen/hipstershop/demo';
import { createCurrencyConverter } from '../../src/services/currency/converter';
import { createCurrencyHandlers } from '../../src/services/currency/server';
import { type TestServer, startTestServer } from '../support/test-server';
import { rejectsWith, unary, upstreamClient } from '../support/upstream-client';

describe('currency service (gRPC, upstream-style client)', () => {
  let server: TestServer;
  let client: Client;

  before(async () => {
    server = await startTestServer(s => s.add(CurrencyServiceService, createCurrencyHandlers(createCurrencyConverter())));
    client = upstreamClient('CurrencyService', server.address);
  });

  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('GetSupportedCurrencies lists the 33 upstream codes', async () => {
    const res = await unary<{ currency_codes: string[] }>(client, 'GetSupportedCurrencies', {});
    assert.equal(res.currency_codes.length, 33);
    assert.deepEqual(res.currency_codes.slice(0, 3), ['EUR', 'USD', 'JPY']);
  });

  it('Convert 8.99 USD → EUR = 7.952233525 on the wire', async () => {
    const res = await unary(client, 'Convert', { from: { currency_code: 'USD', units: 8, nanos: 990_000_000 }, to_code: 'EUR' });
    assert.deepEqual(res, { currency_code: 'EUR', units: '7', nanos: 952_233_525 });
  });

  it('Convert 19.99 USD → JPY', async () => {
    const res = await unary(client, 'Convert', { from: { currency_code: 'USD', units: '19', nanos: 990_000_000 }, to_code: 'JPY' });
    assert.deepEqual(res, { currency_code: 'JPY', units: '2235', nanos: 60_592_658 });
  });

  it('carries int64 units beyond 2^53 exactly', async () => {
    const res = await unary(client, 'Convert', { from: { currency_code: 'EUR', units: '9007199254740993', nanos: 0 }, to_code: 'EUR' });
    assert.deepEqual(res, { currency_code: 'EUR', units: '9007199254740993', nanos: 0 });
  });

  it('unknown to_code → INVALID_ARGUMENT naming to_code (upstream answers a silent zero)', async () => {
    await assert.rejects(
      unary(client, 'Convert', { from: { currency_code: 'USD', units: 1, nanos: 0 }, to_code: 'XXX' }),
      rejectsWith(status.INVALID_ARGUMENT, 'to_code: unsupported currency code "XXX"'),
    );
  });

  it('unknown from.currency_code → INVALID_ARGUMENT naming it', async () => {
    await assert.rejects(
      unary(client, 'Convert', { from: { currency_code: 'ABC', units: 1, nanos: 0 }, to_code: 'USD' }),
      rejectsWith(status.INVALID_ARGUMENT, 'from.currency_code: unsupported currency code "ABC"'),
    );
  });

  it('missing from → INVALID_ARGUMENT', async () => {
    await assert.rejects(unary(client, 'Convert', { to_code: 'USD' }), rejectsWith(status.INVALID_ARGUMENT, 'from: is required'));
  });

  it('malformed Money → INVALID_ARGUMENT', async () => {
    await assert.rejects(
      unary(client, 'Convert', { from: { currency_code: 'USD', units: 1, nanos: -5 }, to_code: 'EUR' }),
      rejectsWith(status.INVALID_ARGUMENT, 'from: units and nanos must have the same sign'),
    );
  });
});
