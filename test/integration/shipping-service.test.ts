// ShippingService over real gRPC, called the way upstream clients do (proto-loader, keepCase, longs as String).
import assert from 'node:assert/strict';
import { type Client, status } from '@grpc/grpc-js';
import { ShippingServiceService } from '../../src/gen/hipstershop/demo';
import { createFailurePolicy } from '../../src/services/shipping/failure-policy';
import { cryptoRandomInt } from '../../src/services/shipping/random';
import { createShippingHandlers } from '../../src/services/shipping/server';
import { createShipper } from '../../src/services/shipping/shipper';
import { type TestServer, startTestServer } from '../support/test-server';
import { rejectsWith, unary, upstreamClient } from '../support/upstream-client';

const ADDRESS = { street_address: 'Muffin Man', city: 'London', state: '', country: 'England', zip_code: 0 };
const ITEMS = [{ product_id: '23', quantity: 1 }, { product_id: '46', quantity: 3 }];

describe('shipping service (gRPC, upstream-style client)', () => {
  const failures = createFailurePolicy(0, cryptoRandomInt);
  let server: TestServer;
  let client: Client;

  before(async () => {
    const shipper = createShipper({ random: cryptoRandomInt, failures });
    server = await startTestServer(s => s.add(ShippingServiceService, createShippingHandlers(shipper)));
    client = upstreamClient('ShippingService', server.address);
  });

  afterEach(() => failures.setRate(0));

  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('GetQuote with items → $8.99', async () => {
    const res = await unary(client, 'GetQuote', { address: ADDRESS, items: ITEMS });
    assert.deepEqual(res, { cost_usd: { currency_code: 'USD', units: '8', nanos: 990_000_000 } });
  });

  it('GetQuote with no items → $0.00 (address not needed)', async () => {
    const res = await unary(client, 'GetQuote', { items: [] });
    assert.deepEqual(res, { cost_usd: { currency_code: 'USD', units: '0', nanos: 0 } });
  });

  it('ShipOrder returns an upstream-format tracking id (18 chars for "Muffin Man, London, ")', async () => {
    const res = await unary<{ tracking_id: string }>(client, 'ShipOrder', { address: ADDRESS, items: ITEMS });
    assert.match(res.tracking_id, /^[A-Y]{2}-20\d{3}-10\d{7}$/);
    assert.equal(res.tracking_id.length, 18);
  });

  it('ShipOrder without address → INVALID_ARGUMENT (upstream panics)', async () => {
    await assert.rejects(unary(client, 'ShipOrder', { items: ITEMS }), rejectsWith(status.INVALID_ARGUMENT, 'address: is required'));
  });

  it('negative quantity → INVALID_ARGUMENT naming the item', async () => {
    await assert.rejects(
      unary(client, 'GetQuote', { items: [{ product_id: 'x', quantity: 1 }, { product_id: 'y', quantity: -1 }] }),
      rejectsWith(status.INVALID_ARGUMENT, 'items[1].quantity: must be a non-negative integer'),
    );
  });

  it('failure injection: carrier down → UNAVAILABLE, back up → ships', async () => {
    failures.setRate(1);
    await assert.rejects(unary(client, 'ShipOrder', { address: ADDRESS, items: ITEMS }), rejectsWith(status.UNAVAILABLE, 'shipping carrier unavailable'));
    // Quotes are not affected: only the shipment itself fails.
    await unary(client, 'GetQuote', { address: ADDRESS, items: ITEMS });
    failures.setRate(0);
    const res = await unary<{ tracking_id: string }>(client, 'ShipOrder', { address: ADDRESS, items: ITEMS });
    assert.match(res.tracking_id, /^[A-Y]{2}-/);
  });
});
