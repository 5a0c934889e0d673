// The dashboard's HTTP boundary with in-memory sources: admin credential (401/403 before any read),
// the snapshot (stock side by side, rates from counters, verdict, partial failures), the snapshot
// cache, and dead-letter replay input checks. Errors go through the gateway's one HTTP error mapping.
import assert from 'node:assert/strict';
import Fastify, { type FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/platform/clock';
import { UnavailableError } from '../../src/platform/errors';
import { registerDashboardRoutes, type DashboardSnapshot, type DashboardSources, type ItemStock } from '../../src/services/gateway/dashboard';
import type { TargetScrape } from '../../src/services/gateway/dashboard/metrics-scraper';
import { parseMetrics } from '../../src/services/gateway/dashboard/prometheus-text';
import { toHttpError } from '../../src/services/gateway/http-errors';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';

const TOKEN = 'dashboard-unit-admin-token';
const AUTH = { authorization: `Bearer ${TOKEN}` };

interface Fakes {
  items: ItemStock[];
  accepted: number;
  scrapes: number;
  reads: number;
  replayed: bigint[];
  deadLettersFail: boolean;
}

function fakeSources(f: Fakes): DashboardSources {
  return {
    async itemStock() {
      f.reads++;
      return f.items;
    },
    async deadLetters() {
      if (f.deadLettersFail) throw new UnavailableError('order unavailable');
      return { pending: 1, items: [{ id: '42', topic: 'order-created', consumerGroup: 'GID_order_created', messageKey: 'o-1', reason: 'bad body', attempts: 17 }] };
    },
    async replayDeadLetter(id) {
      f.replayed.push(id);
      return { deadLetter: undefined, newMessageId: 'm-1', alreadyReplayed: false };
    },
    close() {},
  };
}

async function buildApp(f: Fakes, clock: ManualClock, adminToken = TOKEN): Promise<FastifyInstance> {
  const app = Fastify();
  app.setErrorHandler((err, _req, reply) => {
    const h = toHttpError(err);
    void reply.code(h.statusCode).headers(h.headers).send(h.body);
  });
  const scrape = async (): Promise<TargetScrape[]> => {
    f.scrapes++;
    const text = `flashsale_buy_results_total{result="BUY_RESULT_ACCEPTED",by="inventory"} ${f.accepted}\nflashsale_buy_results_total{result="BUY_RESULT_SOLD_OUT",by="stock"} 2\ncircuit_breaker_state{name="payment"} 1\n`;
    return [
      { target: '127.0.0.1:9464', up: true, series: parseMetrics(text) },
      { target: '127.0.0.1:1', up: false, error: 'unreachable', series: [] },
    ];
  };
  registerDashboardRoutes(app, {
    config: testConfig({ ADMIN_TOKEN: adminToken, DASHBOARD_SNAPSHOT_TTL_MS: '500' }),
    logger: testLogger('dashboard'),
    clock,
    sources: fakeSources(f),
    scrape,
  });
  await app.ready();
  return app;
}

describe('dashboard routes', () => {
  let f: Fakes;
  let clock: ManualClock;
  let app: FastifyInstance;

  beforeEach(async () => {
    f = {
      items: [
        { productId: 'A', name: 'Item A', state: 'ACTIVE', warmed: true, redisStock: 8, mysqlStock: 10, pendingDelta: -2 },
        { productId: 'B', name: 'Item B', state: 'SOLD_OUT', warmed: true, redisStock: 0, mysqlStock: 0, pendingDelta: 0 },
      ],
      accepted: 10,
      scrapes: 0,
      reads: 0,
      replayed: [],
      deadLettersFail: false,
    };
    clock = new ManualClock(1_700_000_000_000);
    app = await buildApp(f, clock);
  });

  afterEach(() => app.close());

  it('refuses a missing or wrong admin token with 401 before reading anything', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: TOKEN }]) {
      for (const [method, url] of [['GET', '/api/admin/dashboard'], ['GET', '/api/admin/dead-letters'], ['POST', '/api/admin/dead-letters/1/replay']] as const) {
        const res = await app.inject({ method, url, headers });
        assert.equal(res.statusCode, 401, `${method} ${url} ${JSON.stringify(headers)}`);
        assert.equal(res.json().error.code, 'UNAUTHENTICATED');
      }
    }
    assert.deepEqual([f.scrapes, f.reads, f.replayed.length], [0, 0, 0]);
  });

  it('answers 403 when the gateway has no admin token configured', async () => {
    const closed = await buildApp(f, clock, '');
    try {
      const res = await closed.inject({ method: 'GET', url: '/api/admin/dashboard', headers: { authorization: 'Bearer anything' } });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'PERMISSION_DENIED');
    } finally {
      await closed.close();
    }
  });

  it('serves stock side by side, rates from the counters, breakers, the stock-check verdict and the down target', async () => {
    const first = await app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: AUTH });
    assert.equal(first.statusCode, 200);
    assert.equal(first.headers['cache-control'], 'no-store');
    const s = first.json<DashboardSnapshot>();
    assert.deepEqual(
      s.items.map(i => [i.productId, i.redisStock, i.mysqlStock, i.pendingDelta, i.inSync]),
      [['A', 8, 10, -2, true], ['B', 0, 0, 0, true]],
    );
    assert.equal(s.orders.acceptedTotal, 10);
    assert.equal(s.orders.refusedTotal, 2);
    assert.deepEqual(s.orders.refusedByResult, { SOLD_OUT: 2 });
    assert.deepEqual(s.ledger, { verdict: 'CLEAN', source: 'stock-check', breaches: {}, checkedAt: new Date(1_700_000_000_000).toISOString() });
    assert.deepEqual(s.breakers, [{ target: '127.0.0.1:9464', name: 'payment', state: 'halfOpen' }]);
    assert.equal(s.deadLetters.open, 1);
    assert.deepEqual(s.targets.map(t => t.up), [true, false]);
    assert.deepEqual(s.problems, ['metrics 127.0.0.1:1: unreachable']);

    // Two seconds and 30 acceptances later; item A drifted (Redis != MySQL + pending).
    f.accepted = 40;
    f.items = [{ ...f.items[0]!, redisStock: 5 }, f.items[1]!];
    clock.advance(2_000);
    const next = (await app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: AUTH })).json<DashboardSnapshot>();
    assert.equal(next.orders.acceptedTotal, 40);
    assert.equal(next.orders.acceptedPerSec, 15);
    assert.equal(next.orders.refusedPerSec, 0);
    assert.equal(next.items[0]?.inSync, false);
    assert.equal(next.ledger.verdict, 'BREACH');
  });

  it('reuses one snapshot within DASHBOARD_SNAPSHOT_TTL_MS', async () => {
    await app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: AUTH });
    clock.advance(200);
    await app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: AUTH });
    assert.deepEqual([f.scrapes, f.reads], [1, 1]);
    clock.advance(400);
    await app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: AUTH });
    assert.deepEqual([f.scrapes, f.reads], [2, 2]);
  });

  it('keeps serving when a source fails, naming the part (no internals)', async () => {
    f.deadLettersFail = true;
    const s = (await app.inject({ method: 'GET', url: '/api/admin/dashboard', headers: AUTH })).json<DashboardSnapshot>();
    assert.equal(s.deadLetters.open, null);
    assert.ok(s.problems.includes('dead letters: order unavailable'), s.problems.join('; '));
    assert.equal(s.items.length, 2);
  });

  it('replays a dead letter by id; a malformed id or page size is a 400 naming the field', async () => {
    const ok = await app.inject({ method: 'POST', url: '/api/admin/dead-letters/42/replay', headers: AUTH });
    assert.equal(ok.statusCode, 200);
    assert.deepEqual(ok.json(), { newMessageId: 'm-1', alreadyReplayed: false });
    assert.deepEqual(f.replayed, [42n]);
    const bad = await app.inject({ method: 'POST', url: '/api/admin/dead-letters/4x2/replay', headers: AUTH });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'id');
    const page = await app.inject({ method: 'GET', url: '/api/admin/dead-letters?pageSize=0', headers: AUTH });
    assert.equal(page.statusCode, 400);
    assert.equal(page.json().error.field, 'pageSize');
    const list = await app.inject({ method: 'GET', url: '/api/admin/dead-letters?pageSize=5', headers: AUTH });
    assert.equal(list.json().pending, 1);
    assert.deepEqual(f.replayed, [42n]);
  });
});
