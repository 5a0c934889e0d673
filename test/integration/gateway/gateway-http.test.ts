// The gateway over real HTTP in front of the real services (`main all` on the shared stack): the buyer
// flow (session → sale item → token → buy → 202 → pay → PAID), sold out → 409, another user's order →
// 404, long poll returning on change, trace headers, static pages, and hostile input refused with the
// documented 4xx and NO gRPC call (each gateway's own call counter stays still).
import assert from 'node:assert/strict';
import { createSessionCodec } from '../../../src/services/gateway/session';
import { SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER, signRequest } from '../../../src/services/gateway';
import { parseAddressList } from '../../../src/platform/cidr';
import { SEED_ITEMS, type SeedItem } from '../../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../../src/services/productcatalog/seed/seed-products';
import { useTestDatabase } from '../../support/test-database';
import { CARD, SESSION_SECRET, api, buy, newSession, startBackend, startGateway, until, type Backend, type TestGateway } from './gateway-rig';

const REDIS_URL = 'redis://127.0.0.1:6390/14';
const item = (id: string, stock: number, perUserLimit: number): SeedItem => ({
  product: { ...SEED_ITEMS[0]!.product, id, name: `Gateway ${id}` },
  stock,
  perUserLimit,
  flashSale: true,
});
const FLOW = item('GW-FLOW-1', 10, 1);
const LAST = item('GW-LAST-1', 1, 1);
const POLL = item('GW-POLL-1', 10, 1);

describe('gateway: HTTP API in front of the real services', function () {
  this.timeout(240_000);
  const tdb = useTestDatabase();
  let backend: Backend;
  let gw: TestGateway;
  const extra: TestGateway[] = [];

  before(async function () {
    await seedProducts(tdb.current.db, [FLOW, LAST, POLL], { reset: true, saleStartsAt: new Date(Date.now() - 60_000), overrideSaleStart: true });
    backend = await startBackend({ mysqlUrl: tdb.current.config.mysql.url, redisUrl: REDIS_URL, warm: [FLOW.product.id, LAST.product.id, POLL.product.id] });
    gw = await startGateway(backend);
  });

  after(async function () {
    for (const g of [...extra, gw]) await g?.stop().catch(() => undefined);
    await backend?.stop();
  });

  describe('buyer flow', () => {
    it('session → sale item → token → buy → 202 ACCEPTED → pay → PAID, with trace ids on every response', async () => {
      const s = await api(gw.baseUrl, 'POST', '/api/session');
      assert.equal(s.status, 201);
      const token = String(s.json?.token);
      assert.match(String(s.json?.userId), /^u-[0-9a-f]{32}$/);
      assert.ok(Date.parse(String(s.json?.expiresAt)) > Date.now());
      const cookie = s.headers.get('set-cookie') ?? '';
      assert.match(cookie, /^shop_session=[^;]+; HttpOnly; SameSite=Strict; Path=\//);

      const list = await api(gw.baseUrl, 'GET', '/api/sale-items');
      assert.equal(list.status, 200);
      const items = list.json?.items as Array<Record<string, unknown>>;
      assert.deepEqual(items.map(i => i.productId).sort(), [FLOW.product.id, LAST.product.id, POLL.product.id].sort());
      assert.ok(Date.parse(String(list.json?.serverTime)) > 0);

      const one = await api(gw.baseUrl, 'GET', `/api/sale-items/${FLOW.product.id}`);
      assert.equal(one.status, 200);
      assert.equal(one.json?.state, 'ACTIVE');
      assert.equal(one.json?.remaining, 10);
      assert.equal(one.json?.perUserLimit, 1);
      assert.deepEqual(one.json?.price, { currencyCode: 'USD', units: String(FLOW.product.price.units), nanos: FLOW.product.price.nanos });
      assert.ok(typeof one.json?.serverTime === 'string');

      // The cookie alone authenticates too (what the browser page uses).
      const tok = await api(gw.baseUrl, 'POST', `/api/sale-items/${FLOW.product.id}/token`, { headers: { cookie: cookie.split(';')[0]! } });
      assert.equal(tok.status, 200);
      const bought = await api(gw.baseUrl, 'POST', `/api/sale-items/${FLOW.product.id}/buy`, { session: token, body: { quantity: 1, token: tok.json?.token } });
      assert.equal(bought.status, 202, JSON.stringify(bought.json));
      assert.equal(bought.json?.outcome, 'ACCEPTED');
      const orderId = String(bought.json?.orderId);
      assert.ok(Date.parse(String(bought.json?.paymentDeadline)) > Date.now());

      const read = await api(gw.baseUrl, 'GET', `/api/orders/${orderId}`, { session: token });
      assert.equal(read.status, 200);
      assert.equal(read.json?.orderId, orderId);
      assert.equal(read.json?.status, 'PENDING_PAYMENT');

      // Paid at once: the gateway waits for the row if the write-behind is still behind.
      const paid = await api(gw.baseUrl, 'POST', `/api/orders/${orderId}/pay`, { session: token, body: { creditCard: CARD } });
      assert.equal(paid.status, 200, JSON.stringify(paid.json));
      assert.equal(paid.json?.status, 'PAID');
      const total = paid.json?.total as Record<string, unknown>;
      assert.equal(total.currencyCode, 'USD');
      assert.match(String(total.units), /^\d+$/);

      for (const r of [s, list, one, tok, bought, read, paid]) {
        const tp = r.headers.get('traceparent') ?? '';
        assert.match(tp, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
        assert.equal(r.headers.get('x-trace-id'), tp.split('-')[1]);
      }
    });

    it('continues an incoming traceparent (same trace id, new span id)', async () => {
      const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
      const r = await api(gw.baseUrl, 'GET', '/api/sale-items', { headers: { traceparent: incoming } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('x-trace-id'), '4bf92f3577b34da6a3ce929d0e0e4736');
      const [, traceId, spanId] = (r.headers.get('traceparent') ?? '').split('-');
      assert.equal(traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
      assert.notEqual(spanId, '00f067aa0ba902b7');
    });

    it('the last unit: one buyer ACCEPTED, the next one 409 SOLD_OUT', async () => {
      const first = await newSession(gw.baseUrl);
      const second = await newSession(gw.baseUrl);
      const a = await buy(gw.baseUrl, first.token, LAST.product.id);
      assert.equal(a.status, 202, JSON.stringify(a.json));
      const b = await buy(gw.baseUrl, second.token, LAST.product.id);
      assert.equal(b.status, 409);
      assert.equal((b.json?.error as Record<string, unknown>).code, 'SOLD_OUT');
      const again = await buy(gw.baseUrl, first.token, LAST.product.id);
      assert.equal(again.status, 409);
      assert.ok(['DUPLICATE', 'UNPAID_ORDER_EXISTS', 'SOLD_OUT', 'LIMIT_EXCEEDED'].includes(String((again.json?.error as Record<string, unknown>).code)));
      const state = await api(gw.baseUrl, 'GET', `/api/sale-items/${LAST.product.id}`);
      assert.equal(state.json?.state, 'SOLD_OUT');
      assert.equal(state.json?.remaining, 0);
    });

    it("another user's order is 404 (read, poll and pay)", async () => {
      const owner = await newSession(gw.baseUrl);
      const other = await newSession(gw.baseUrl);
      const bought = await buy(gw.baseUrl, owner.token, FLOW.product.id);
      assert.equal(bought.status, 202);
      const orderId = String(bought.json?.orderId);
      assert.equal((await api(gw.baseUrl, 'GET', `/api/orders/${orderId}`, { session: owner.token })).status, 200);
      for (const r of [
        await api(gw.baseUrl, 'GET', `/api/orders/${orderId}`, { session: other.token }),
        await api(gw.baseUrl, 'GET', `/api/orders/${orderId}/poll?timeoutMs=1000`, { session: other.token }),
        await api(gw.baseUrl, 'POST', `/api/orders/${orderId}/pay`, { session: other.token, body: { creditCard: CARD } }),
      ]) {
        assert.equal(r.status, 404, JSON.stringify(r.json));
        assert.equal((r.json?.error as Record<string, unknown>).code, 'NOT_FOUND');
      }
      assert.equal((await api(gw.baseUrl, 'GET', '/api/orders/no-such-order', { session: owner.token })).status, 404);
    });
  });

  describe('long poll', () => {
    it('returns as soon as the order changes (PENDING_PAYMENT → PAID), and the same state after its timeout', async () => {
      const buyer = await newSession(gw.baseUrl);
      const bought = await buy(gw.baseUrl, buyer.token, POLL.product.id);
      assert.equal(bought.status, 202);
      const orderId = String(bought.json?.orderId);

      // Nothing changes: after the timeout the current state comes back.
      const idle = await api(gw.baseUrl, 'GET', `/api/orders/${orderId}/poll?after=PENDING_PAYMENT&timeoutMs=1000`, { session: buyer.token });
      assert.equal(idle.status, 200);
      assert.equal(idle.json?.status, 'PENDING_PAYMENT');

      // A poll waiting for a change from PENDING_PAYMENT, with the longest timeout: the payment ends it.
      const polling = api(gw.baseUrl, 'GET', `/api/orders/${orderId}/poll?after=PENDING_PAYMENT&timeoutMs=25000`, { session: buyer.token });
      let settled = false;
      void polling.then(() => (settled = true));
      await new Promise(r => setTimeout(r, 300));
      assert.equal(settled, false, 'the poll waits while nothing changes');
      const paid = await api(gw.baseUrl, 'POST', `/api/orders/${orderId}/pay`, { session: buyer.token, body: { creditCard: CARD } });
      assert.equal(paid.status, 200, JSON.stringify(paid.json));
      const changed = await polling;
      assert.equal(changed.status, 200);
      assert.notEqual(changed.json?.status, 'PENDING_PAYMENT');
      assert.ok(['PAID', 'SHIPPED'].includes(String(changed.json?.status)));

      // By version: the next change after PAID is SHIPPED (the order service ships it).
      const now = await api(gw.baseUrl, 'GET', `/api/orders/${orderId}`, { session: buyer.token });
      if (now.json?.status === 'PAID') {
        const shipped = await api(gw.baseUrl, 'GET', `/api/orders/${orderId}/poll?after=${String(now.json?.version)}&timeoutMs=25000`, { session: buyer.token });
        assert.equal(shipped.json?.status, 'SHIPPED');
        assert.equal(shipped.json?.terminal, true);
      }
    });
  });

  describe('pages and probes', () => {
    it('serves the sale page, the dashboard page and static files, never outside web/', async () => {
      const page = await fetch(`${gw.baseUrl}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal((await fetch(`${gw.baseUrl}/dashboard`)).status, 200);
      const css = await fetch(`${gw.baseUrl}/static/sale/sale.css`);
      assert.equal(css.status, 200);
      assert.match(css.headers.get('content-type') ?? '', /^text\/css/);
      for (const path of ['/static/../package.json', '/static/%2e%2e/package.json', '/static/..%2fpackage.json', '/static/sale/%2e%2e/%2e%2e/package.json', '/static/sale/nope.js']) {
        const r = await fetch(`${gw.baseUrl}${path}`);
        assert.equal(r.status, 404, path);
        assert.doesNotMatch(await r.text(), /boutique-seckill/, path);
      }
    });

    it('CORS is off by default; an allow-listed origin gets the headers and a preflight', async () => {
      const origin = 'https://shop.example';
      const plain = await fetch(`${gw.baseUrl}/api/sale-items`, { headers: { origin } });
      assert.equal(plain.headers.get('access-control-allow-origin'), null);
      assert.equal((await fetch(`${gw.baseUrl}/api/session`, { method: 'OPTIONS', headers: { origin } })).status, 404);

      const cors = await startGateway(backend, { corsOrigins: [origin] });
      extra.push(cors);
      const allowed = await fetch(`${cors.baseUrl}/api/sale-items`, { headers: { origin } });
      assert.equal(allowed.headers.get('access-control-allow-origin'), origin);
      assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
      const other = await fetch(`${cors.baseUrl}/api/sale-items`, { headers: { origin: 'https://evil.example' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
      const preflight = await fetch(`${cors.baseUrl}/api/session`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      assert.equal(preflight.status, 204);
      assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /POST/);
    });

    it('/healthz and /readyz answer 200 while running', async () => {
      assert.equal((await fetch(`${gw.baseUrl}/healthz`)).status, 200);
      assert.equal((await fetch(`${gw.baseUrl}/readyz`)).status, 200);
    });
  });

  describe('hostile input: the documented 4xx and no gRPC call', () => {
    let session: string;
    before(async () => {
      session = (await newSession(gw.baseUrl)).token;
    });

    /** Runs `request` and asserts its status/code, and that the gateway made no gRPC call for it. */
    async function refused(g: TestGateway, status: number, code: string, request: () => ReturnType<typeof api>) {
      const before = g.clients.calls.total();
      const r = await request();
      assert.equal(r.status, status, JSON.stringify(r.json));
      assert.equal((r.json?.error as Record<string, unknown> | undefined)?.code, code, JSON.stringify(r.json));
      assert.match(r.headers.get('traceparent') ?? '', /^00-[0-9a-f]{32}-/);
      assert.equal(g.clients.calls.total(), before, `no gRPC call for a ${status} ${code}`);
      return r;
    }
    const buyPath = `/api/sale-items/${FLOW.product.id}/buy`;

    it('oversize body → 413', async () => {
      await refused(gw, 413, 'PAYLOAD_TOO_LARGE', () => api(gw.baseUrl, 'POST', buyPath, { session, raw: JSON.stringify({ quantity: 1, token: 'x'.repeat(20_000) }) }));
    });

    it('bad JSON → 400 BAD_JSON', async () => {
      await refused(gw, 400, 'BAD_JSON', () => api(gw.baseUrl, 'POST', buyPath, { session, raw: '{"quantity": 1,' }));
    });

    it('wrong content type → 415', async () => {
      await refused(gw, 415, 'UNSUPPORTED_MEDIA_TYPE', () =>
        api(gw.baseUrl, 'POST', buyPath, { session, raw: 'quantity=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      );
      await refused(gw, 415, 'UNSUPPORTED_MEDIA_TYPE', () => api(gw.baseUrl, 'POST', buyPath, { session, raw: '{}', headers: { 'content-type': 'text/plain' } }));
    });

    it('missing, forged and expired sessions → 401', async () => {
      await refused(gw, 401, 'UNAUTHENTICATED', () => api(gw.baseUrl, 'POST', buyPath, { body: { quantity: 1, token: 't' } }));
      await refused(gw, 401, 'UNAUTHENTICATED', () => api(gw.baseUrl, 'GET', '/api/orders/some-order'));
      // Forged: a well-formed token signed with another key, and a tampered payload.
      const forged = createSessionCodec('another-secret-of-at-least-32-characters!!', 60_000, { now: () => Date.now() }).issue().token;
      await refused(gw, 401, 'UNAUTHENTICATED', () => api(gw.baseUrl, 'POST', buyPath, { session: forged, body: { quantity: 1, token: 't' } }));
      const [payload, mac] = session.split('.');
      const tampered = `${Buffer.from(JSON.stringify({ uid: 'u-victim', exp: Date.now() + 60_000 })).toString('base64url')}.${mac}`;
      assert.notEqual(tampered.split('.')[0], payload);
      await refused(gw, 401, 'UNAUTHENTICATED', () => api(gw.baseUrl, 'GET', '/api/orders/some-order', { session: tampered }));
      await refused(gw, 401, 'UNAUTHENTICATED', () => api(gw.baseUrl, 'GET', '/api/orders/some-order', { headers: { cookie: 'shop_session=garbage' } }));
      const expired = createSessionCodec(SESSION_SECRET, 60_000, { now: () => Date.now() - 3_600_000 }).issue().token;
      const r = await refused(gw, 401, 'UNAUTHENTICATED', () => api(gw.baseUrl, 'POST', buyPath, { session: expired, body: { quantity: 1, token: 't' } }));
      assert.match(String((r.json?.error as Record<string, unknown>).message), /expired/);
    });

    it('a user id in the body or query → 400 INVALID_ARGUMENT (field userId)', async () => {
      for (const key of ['userId', 'user_id']) {
        const r = await refused(gw, 400, 'INVALID_ARGUMENT', () => api(gw.baseUrl, 'POST', buyPath, { session, body: { quantity: 1, token: 't', [key]: 'u-victim' } }));
        assert.equal((r.json?.error as Record<string, unknown>).field, 'userId');
      }
      const q = await refused(gw, 400, 'INVALID_ARGUMENT', () => api(gw.baseUrl, 'GET', '/api/orders/some-order?userId=u-victim', { session }));
      assert.equal((q.json?.error as Record<string, unknown>).field, 'userId');
    });

    it('malformed fields → 400 naming the field, before any call', async () => {
      const r = await refused(gw, 400, 'INVALID_ARGUMENT', () => api(gw.baseUrl, 'POST', buyPath, { session, body: { quantity: 'lots', token: 't' } }));
      assert.equal((r.json?.error as Record<string, unknown>).field, 'quantity');
      const p = await refused(gw, 400, 'INVALID_ARGUMENT', () =>
        api(gw.baseUrl, 'POST', '/api/orders/some-order/pay', { session, body: { creditCard: { ...CARD, expirationMonth: 13 } } }),
      );
      assert.equal((p.json?.error as Record<string, unknown>).field, 'creditCard.expirationMonth');
    });

    it('HMAC signing on: missing or bad signature → 401 BAD_SIGNATURE; a correct one passes', async () => {
      const secret = 'hmac-test-secret';
      const signed = await startGateway(backend, { hmacSecret: secret });
      extra.push(signed);
      const path = `/api/sale-items/${FLOW.product.id}`;
      await refused(signed, 401, 'BAD_SIGNATURE', () => api(signed.baseUrl, 'GET', path));
      const ts = String(Date.now());
      const good = signRequest(secret, { method: 'GET', url: path, timestamp: ts, body: Buffer.alloc(0) });
      const bad = signRequest('wrong-secret', { method: 'GET', url: path, timestamp: ts, body: Buffer.alloc(0) });
      await refused(signed, 401, 'BAD_SIGNATURE', () => api(signed.baseUrl, 'GET', path, { headers: { [SIGNATURE_HEADER]: bad, [SIGNATURE_TIMESTAMP_HEADER]: ts } }));
      const stale = String(Date.now() - 3_600_000);
      const staleSig = signRequest(secret, { method: 'GET', url: path, timestamp: stale, body: Buffer.alloc(0) });
      await refused(signed, 401, 'BAD_SIGNATURE', () => api(signed.baseUrl, 'GET', path, { headers: { [SIGNATURE_HEADER]: staleSig, [SIGNATURE_TIMESTAMP_HEADER]: stale } }));
      // A body signed for one quantity and sent with another.
      const sessionSig = signRequest(secret, { method: 'POST', url: '/api/session', timestamp: ts, body: Buffer.alloc(0) });
      const s2r = await api(signed.baseUrl, 'POST', '/api/session', { headers: { [SIGNATURE_HEADER]: sessionSig, [SIGNATURE_TIMESTAMP_HEADER]: ts } });
      assert.equal(s2r.status, 201);
      const s2 = String(s2r.json?.token);
      const body = JSON.stringify({ quantity: 1, token: 't' });
      const sig = signRequest(secret, { method: 'POST', url: buyPath, timestamp: ts, body: Buffer.from(body) });
      await refused(signed, 401, 'BAD_SIGNATURE', () =>
        api(signed.baseUrl, 'POST', buyPath, { session: s2, raw: JSON.stringify({ quantity: 2, token: 't' }), headers: { [SIGNATURE_HEADER]: sig, [SIGNATURE_TIMESTAMP_HEADER]: ts } }),
      );

      const before = signed.clients.calls.total();
      const ok = await api(signed.baseUrl, 'GET', path, { headers: { [SIGNATURE_HEADER]: good, [SIGNATURE_TIMESTAMP_HEADER]: ts } });
      assert.equal(ok.status, 200);
      assert.equal(signed.clients.calls.total(), before + 1);
    });

    it('denied address (and an allow list without it) → 403 IP_DENIED', async () => {
      const denied = await startGateway(backend, { ipDeny: parseAddressList('10.0.0.0/8, 127.0.0.0/8') });
      const notAllowed = await startGateway(backend, { ipAllow: parseAddressList('192.168.0.0/16') });
      extra.push(denied, notAllowed);
      for (const g of [denied, notAllowed]) {
        await refused(g, 403, 'IP_DENIED', () => api(g.baseUrl, 'GET', '/api/sale-items'));
        await refused(g, 403, 'IP_DENIED', () => api(g.baseUrl, 'POST', '/api/session'));
        assert.equal((await fetch(`${g.baseUrl}/healthz`)).status, 200, 'probes are exempt');
      }
    });

    it('rate-limit flood → 429 RATE_LIMITED with Retry-After, and only the admitted requests reach gRPC', async () => {
      const limited = await startGateway(backend, { ratePerSecond: 1, rateBurst: 5 });
      extra.push(limited);
      const before = limited.clients.calls.total();
      const replies = await Promise.all(Array.from({ length: 60 }, () => api(limited.baseUrl, 'GET', `/api/sale-items/${FLOW.product.id}`)));
      const ok = replies.filter(r => r.status === 200);
      const limitedReplies = replies.filter(r => r.status === 429);
      // The burst of 5 is admitted (plus whatever refilled at 1/s while the flood was in flight).
      assert.ok(ok.length >= 5, `admitted ${ok.length}`);
      assert.ok(limitedReplies.length > 0, 'the flood was limited');
      assert.equal(ok.length + limitedReplies.length, 60);
      for (const r of limitedReplies) {
        assert.equal((r.json?.error as Record<string, unknown>).code, 'RATE_LIMITED');
        assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
      }
      assert.equal(limited.clients.calls.total() - before, ok.length, 'one GetSaleItem per admitted request, none for the refused');
    });
  });

  describe('graceful stop', () => {
    it('readiness turns 503 while stopping; an open long poll is answered with the current state', async () => {
      const g = await startGateway(backend);
      const buyer = await newSession(g.baseUrl);
      const bought = await buy(g.baseUrl, buyer.token, POLL.product.id);
      assert.equal(bought.status, 202);
      const orderId = String(bought.json?.orderId);
      const poll = api(g.baseUrl, 'GET', `/api/orders/${orderId}/poll?after=PENDING_PAYMENT&timeoutMs=25000`, { session: buyer.token });
      await new Promise(r => setTimeout(r, 300));
      const stopping = g.stop();
      assert.equal(g.gateway.ready, false);
      const answered = await poll;
      assert.equal(answered.status, 200);
      assert.equal(answered.json?.status, 'PENDING_PAYMENT');
      await stopping;
      await until('the port closed', async () => (await fetch(`${g.baseUrl}/healthz`).then(() => false, () => true)) || undefined, 10_000);
    });
  });
});
