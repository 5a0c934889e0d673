// The gateway passes the request's trace on to gRPC: a loopback ProductCatalogService records the
// metadata of the gateway client's call. The call carries the traceparent the HTTP response shows
// (same trace id as the caller's, the gateway's span id) and the buyer's address as x-forwarded-for.
import assert from 'node:assert/strict';
import { ProductCatalogServiceService } from '../../src/gen/hipstershop/demo';
import { breakerSettings, createBreakers } from '../../src/platform/breaker';
import { createGatewayClients } from '../../src/services/gateway/clients';
import { startRequestTrace } from '../../src/services/gateway/trace-context';
import { startTestServer, type TestServer } from '../support/test-server';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';

describe('gateway: trace context on outgoing gRPC calls', () => {
  let server: TestServer;
  const seen: Array<Record<string, string>> = [];

  before(async () => {
    const record = (md: { get(k: string): unknown[] }) =>
      void seen.push(Object.fromEntries(['traceparent', 'x-forwarded-for'].map(k => [k, String(md.get(k)[0] ?? '')])));
    server = await startTestServer(s =>
      s.add(ProductCatalogServiceService, {
        listProducts: async (_req, ctx) => (record(ctx.metadata), { products: [] }),
        getProduct: async () => ({ id: '', name: '', description: '', picture: '', categories: [], priceUsd: undefined }),
        searchProducts: async () => ({ results: [] }),
      }),
    );
  });
  after(() => server.stop());

  it('continues the caller trace into the call, with our span as parent', async () => {
    const breakers = createBreakers({ settings: breakerSettings(testConfig()), logger: testLogger('breakers') });
    const clients = createGatewayClients({ addresses: { checkout: server.address, productCatalog: server.address, order: server.address }, breakers, deadlineMs: 5_000 });
    try {
      const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const trace = startRequestTrace({ traceparent: incoming }, 'HTTP GET /api/products');
      await clients.listProducts({ context: trace.context, traceparent: trace.traceparent, clientIp: '203.0.113.9' });
      assert.equal(seen.length, 1);
      assert.equal(seen[0]?.traceparent, trace.traceparent);
      assert.equal(seen[0]?.traceparent?.split('-')[1], '4bf92f3577b34da6a3ce929d0e0e4736');
      assert.equal(seen[0]?.['x-forwarded-for'], '203.0.113.9');
      assert.equal(clients.calls.total(), 1);
      assert.deepEqual(clients.calls.byMethod(), { ListProducts: 1 });

      // Without an incoming header a new trace starts, still carried to the call.
      const fresh = startRequestTrace({}, 'HTTP GET /api/products');
      await clients.listProducts({ context: fresh.context, traceparent: fresh.traceparent });
      assert.match(seen[1]?.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
      assert.equal(seen[1]?.traceparent, fresh.traceparent);
    } finally {
      clients.close();
      breakers.shutdown();
    }
  });
});
