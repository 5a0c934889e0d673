// The order WebSocket in front of the real services: 1 000 buyers (1 000 distinct users, each Buy made
// over HTTP) each watch their own order on their own socket; every order is then paid, and every
// client must see its own final state (SHIPPED) and a normal close — counted exactly, none lost.
// Also: the close codes of the contract (4401, 4404, 1013 over the per-address bound, 1001 on stop).
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { SEED_ITEMS, type SeedItem } from '../../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../../src/services/productcatalog/seed/seed-products';
import { useTestDatabase } from '../../support/test-database';
import { CARD, api, buy, newSession, startBackend, startGateway, until, type Backend, type TestGateway } from './gateway-rig';

const REDIS_URL = 'redis://127.0.0.1:6390/15';
const CLIENTS = 1000;
const ITEM: SeedItem = { product: { ...SEED_ITEMS[0]!.product, id: 'GW-WS-1', name: 'Gateway socket item' }, stock: CLIENTS + 50, perUserLimit: 1, flashSale: true };

interface Watcher {
  readonly orderId: string;
  readonly frames: Array<Record<string, unknown>>;
  /** Resolves with the close code. */
  readonly closed: Promise<number>;
  readonly opened: Promise<void>;
  readonly socket: WebSocket;
}

function watch(baseUrl: string, orderId: string, session: string | undefined): Watcher {
  const query = session === undefined ? '' : `?session=${encodeURIComponent(session)}`;
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/api/orders/${encodeURIComponent(orderId)}/watch${query}`);
  const frames: Array<Record<string, unknown>> = [];
  socket.on('message', data => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
  const closed = new Promise<number>(resolve => socket.on('close', code => resolve(code)));
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.on('error', () => undefined);
  return { orderId, frames, closed, opened, socket };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

describe('gateway: order WebSockets', function () {
  this.timeout(900_000);
  const tdb = useTestDatabase();
  let backend: Backend;
  let gw: TestGateway;

  before(async function () {
    await seedProducts(tdb.current.db, [ITEM], { reset: true, saleStartsAt: new Date(Date.now() - 60_000), overrideSaleStart: true });
    backend = await startBackend({
      mysqlUrl: tdb.current.config.mysql.url,
      redisUrl: REDIS_URL,
      warm: [ITEM.product.id],
      env: { ORDER_SHIP_CONCURRENCY: '50', ORDER_CONSUMER_BATCH: '100' },
    });
    gw = await startGateway(backend, { maxSockets: 5_000, maxSocketsPerIp: 5_000 });
  });

  after(async function () {
    await gw?.stop().catch(() => undefined);
    await backend?.stop();
  });

  it(`${CLIENTS} concurrent clients, each watching its own order, all receive their final state (no loss)`, async () => {
    // 1 000 distinct buyers, each with an accepted order (Buy over HTTP).
    const buyers = await pool(Array.from({ length: CLIENTS }, (_, i) => i), 10, async () => {
      const s = await newSession(gw.baseUrl);
      const r = await buy(gw.baseUrl, s.token, ITEM.product.id);
      assert.equal(r.status, 202, `${JSON.stringify(r.json)}; services logged:\n${backend.logs()}`);
      return { session: s.token, orderId: String(r.json?.orderId) };
    });
    assert.equal(new Set(buyers.map(b => b.orderId)).size, CLIENTS, 'distinct orders');

    // All sockets open at once, each on its own order.
    const watchers = buyers.map(b => watch(gw.baseUrl, b.orderId, b.session));
    await Promise.all(watchers.map(w => w.opened));
    await until(`all ${CLIENTS} sockets to get their first frame`, async () => watchers.every(w => w.frames.length > 0) || undefined, 300_000);
    assert.equal(gw.gateway.sockets.open(), CLIENTS);
    for (const w of watchers) assert.equal(w.frames[0]?.status, 'PENDING_PAYMENT');

    // Pay every order; the order service ships them and each socket closes after SHIPPED.
    await pool(buyers, 10, async b => {
      const r = await api(gw.baseUrl, 'POST', `/api/orders/${b.orderId}/pay`, { session: b.session, body: { creditCard: CARD } });
      assert.equal(r.status, 200, JSON.stringify(r.json));
    });
    const codes = await Promise.all(watchers.map(w => w.closed));

    const finals = watchers.filter((w, i) => {
      const last = w.frames.at(-1);
      return codes[i] === 1000 && last?.status === 'SHIPPED' && last.terminal === true && w.frames.every(f => f.orderId === w.orderId);
    });
    assert.equal(finals.length, CLIENTS, `clients with their own final state: ${finals.length}/${CLIENTS}`);
    // Each stream went forward: PENDING_PAYMENT first, SHIPPED last, PAID seen or skipped, never backwards.
    const rank: Record<string, number> = { PENDING_PAYMENT: 0, PAID: 1, SHIPPED: 2 };
    for (const w of watchers) {
      const ranks = w.frames.map(f => rank[String(f.status)] ?? -1);
      assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), `frames in order for ${w.orderId}`);
    }
    await until('every socket released', async () => gw.gateway.sockets.open() === 0 || undefined, 30_000);
    // One WatchOrder stream per socket, no more.
    assert.equal(gw.clients.calls.byMethod().WatchOrder, CLIENTS);
  });

  it('close codes: 4401 without a session, 4404 for an unknown or foreign order, 1013 over the per-address bound, 1001 on stop', async () => {
    const small = await startGateway(backend, { maxSocketsPerIp: 2 });
    try {
      const owner = await newSession(small.baseUrl);
      const other = await newSession(small.baseUrl);
      const bought = await buy(small.baseUrl, owner.token, ITEM.product.id);
      assert.equal(bought.status, 202);
      const orderId = String(bought.json?.orderId);

      const calls = small.clients.calls.total();
      const anonymous = watch(small.baseUrl, orderId, undefined);
      assert.equal(await anonymous.closed, 4401);
      const forged = watch(small.baseUrl, orderId, `${owner.token}x`);
      assert.equal(await forged.closed, 4401);
      assert.equal(small.clients.calls.total(), calls, 'no gRPC call for an unauthenticated socket');

      assert.equal(await watch(small.baseUrl, orderId, other.token).closed, 4404);
      assert.equal(await watch(small.baseUrl, 'no-such-order', owner.token).closed, 4404);

      const a = watch(small.baseUrl, orderId, owner.token);
      const b = watch(small.baseUrl, orderId, owner.token);
      await until('two sockets with a first frame', async () => (a.frames.length > 0 && b.frames.length > 0) || undefined, 60_000);
      const third = watch(small.baseUrl, orderId, owner.token);
      assert.equal(await third.closed, 1013);

      await small.stop();
      assert.deepEqual(await Promise.all([a.closed, b.closed]), [1001, 1001]);
    } finally {
      await small.stop();
    }
  });
});
