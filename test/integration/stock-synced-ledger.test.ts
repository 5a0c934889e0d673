// The synced counters stay exact whatever happens to the stock stream's consumer group: an entry is
// counted once ever (group rewound, stream recreated with the same ids, acks out of order, dead-lettered
// then re-delivered), an ack never creates a missing item, and the settled set stays bounded.
import assert from 'node:assert/strict';
import type { RedisClient } from '../../src/platform/redis';
import { parseStockChange, type StockChangeRecord, type StockService } from '../../src/services/productcatalog/stock';
import { toEntries } from '../../src/services/productcatalog/workers/stream-entries';
import { closeRedis, connectStockRedis, figures, redisMode, stockFixture, type StockFixture } from './stock-fixtures';

const GROUP = 'stock-writer';

describe(`stock: synced counters count every stock-change record exactly once (${redisMode} Redis)`, () => {
  let redis: RedisClient;
  let fx: StockFixture;
  let svc: StockService;
  let n = 0;

  before(async () => {
    redis = await connectStockRedis();
  });
  after(() => closeRedis(redis));
  beforeEach(() => {
    fx = stockFixture(redis);
    svc = fx.service();
  });
  afterEach(() => fx.cleanup());

  const shardOf = (sku: string) => svc.keys.shardOf(sku);
  const streamOf = (sku: string) => svc.keys.stockStream(shardOf(sku));

  async function buy(sku: string, qty = 1): Promise<void> {
    const out = await svc.reserve({ orderId: `o${++n}`, userId: `u${n}`, lines: [{ sku, qty }], orderPayload: '{}' });
    assert.equal(out.kind, 'RESERVED');
  }

  async function ensureGroup(stream: string): Promise<void> {
    await redis.xgroup('CREATE', stream, GROUP, '0', 'MKSTREAM').catch((err: Error) => {
      if (!err.message.includes('BUSYGROUP')) throw err;
    });
  }

  /** XREADGROUP '>' as the write-behind worker does. */
  async function deliver(sku: string): Promise<StockChangeRecord[]> {
    const stream = streamOf(sku);
    await ensureGroup(stream);
    const read = (await redis.xreadgroup('GROUP', GROUP, 'w1', 'COUNT', 1000, 'STREAMS', stream, '>')) as Array<[string, unknown]> | null;
    return toEntries(read?.[0]?.[1] ?? []).map(e => parseStockChange(e.id, e.fields));
  }

  const ack = (sku: string, records: readonly StockChangeRecord[]) =>
    svc.ackApplied(shardOf(sku), GROUP, records.map(r => ({ id: r.id, skus: r.lines.map(l => l.sku) })));

  async function unsynced(sku: string): Promise<number> {
    const level = await svc.getStock(sku);
    assert.ok(level.warmed, `${sku} warmed`);
    return level.unsynced;
  }

  it('a group rewound with XGROUP SETID re-delivers acked entries; acking them again counts nothing', async () => {
    await svc.warmUp(['RW'], figures({ RW: { stock: 10 } }));
    await buy('RW');
    await buy('RW', 2);
    const first = await deliver('RW');
    assert.deepEqual(await ack('RW', first), { acked: 2, counted: 2 });
    assert.equal(await unsynced('RW'), 0);

    await redis.xgroup('SETID', streamOf('RW'), GROUP, '0');
    const again = await deliver('RW');
    assert.deepEqual(again.map(r => r.id), first.map(r => r.id), 'the rewind re-delivers both');
    assert.deepEqual(await ack('RW', again), { acked: 2, counted: 0 }, 'XACK says 1 again, the ledger does not');
    assert.equal(await unsynced('RW'), 0);
    assert.equal((await svc.warmUp(['RW'], figures({ RW: { stock: 7 } })))[0]!.status, 'WARMED');
  });

  it('a stream recreated with the same ids counts nothing again, also after the settled set was pruned', async () => {
    await svc.warmUp(['RC'], figures({ RC: { stock: 10 } }));
    await buy('RC');
    await buy('RC');
    const stream = streamOf('RC');
    const raw = toEntries(await redis.xrange(stream, '-', '+'));
    assert.deepEqual(await ack('RC', await deliver('RC')), { acked: 2, counted: 2 });

    const recreate = async () => {
      await redis.del(stream);
      for (const e of raw) await redis.xadd(stream, e.id, ...e.fields);
      await ensureGroup(stream);
    };
    await recreate();
    assert.deepEqual(await ack('RC', await deliver('RC')), { acked: 2, counted: 0 });
    assert.equal(await unsynced('RC'), 0);

    // The trimmer prunes the settled set up to its trim floor; ids below the floor stay settled.
    const floor = `${BigInt(raw[1]!.id.split('-')[0]!) + 1n}-0`;
    assert.deepEqual(await svc.pruneSettled(shardOf('RC'), floor), { floor, removed: 2 });
    assert.equal(await redis.zcard(svc.keys.stockSettled(shardOf('RC'))), 0, 'bounded: pruned');
    await recreate();
    assert.deepEqual(await ack('RC', await deliver('RC')), { acked: 2, counted: 0 });
    assert.equal(await unsynced('RC'), 0);
  });

  it('the settled floor only moves up (replicas prune concurrently with different floors)', async () => {
    const shard = shardOf('FL');
    assert.deepEqual(await svc.pruneSettled(shard, '200-5'), { floor: '200-5', removed: 0 });
    assert.deepEqual(await svc.pruneSettled(shard, '100-9'), { floor: '200-5', removed: 0 });
    assert.deepEqual(await svc.pruneSettled(shard, '200-10'), { floor: '200-10', removed: 0 });
    assert.equal(await redis.get(svc.keys.stockSettledFloor(shard)), '200-10');
  });

  it('acks out of order (two replicas, a retried entry) count every entry once: no high-water mark skips one', async () => {
    await svc.warmUp(['OO'], figures({ OO: { stock: 10 } }));
    for (let i = 0; i < 3; i++) await buy('OO');
    const [a, b, c] = await deliver('OO');
    assert.deepEqual(await ack('OO', [c!]), { acked: 1, counted: 1 });
    assert.deepEqual(await ack('OO', [a!]), { acked: 1, counted: 1 });
    assert.deepEqual(await ack('OO', [b!, a!]), { acked: 1, counted: 1 });
    assert.equal(await unsynced('OO'), 0);
  });

  it('an ack for an item missing from Redis only acks: the item is not created', async () => {
    const sku = 'GHOST';
    const shard = shardOf(sku);
    const stream = svc.keys.stockStream(shard);
    await redis.xadd(stream, '*', 'order', 'o-ghost', 'reason', 'RESERVE', 'user', 'u', 'lines', `${sku}:-1:0`, 'ts', '1', 'trace', '');
    const records = await deliver(sku);
    assert.deepEqual(await ack(sku, records), { acked: 1, counted: 1 });
    assert.equal(await redis.exists(svc.keys.item(shard, sku)), 0, 'no item hash holding only `synced`');
    assert.deepEqual(await svc.getStock(sku), { sku, shard, warmed: false });
  });

  it('a dead-lettered entry is not counted, gets one dead copy ever, and counts once when reconcile resolves it', async () => {
    await svc.warmUp(['DL'], figures({ DL: { stock: 10 } }));
    await buy('DL');
    const shard = shardOf('DL');
    const stream = streamOf('DL');
    const [record] = await deliver('DL');
    const entry = toEntries(await redis.xrange(stream, '-', '+'))[0]!;
    const dead = { id: entry.id, fields: entry.fields, reason: 'unknown product DL', attempts: 5 };
    const by = { consumer: 'w1', now: 1 };
    assert.deepEqual(await svc.deadLetter(shard, GROUP, [dead], by), { dead: 1, skipped: 0 });
    assert.equal(await unsynced('DL'), 1, 'warm-up keeps refusing');
    assert.equal((await redis.xpending(stream, GROUP) as unknown[])[0], 0, 'acked');

    // Rewound: dead-lettered again → acked only, still one copy; applied this time → not counted either.
    await redis.xgroup('SETID', stream, GROUP, '0');
    await deliver('DL');
    assert.deepEqual(await svc.deadLetter(shard, GROUP, [dead], by), { dead: 0, skipped: 1 });
    await redis.xgroup('SETID', stream, GROUP, '0');
    assert.deepEqual(await ack('DL', await deliver('DL')), { acked: 1, counted: 0 });
    const copies = toEntries(await redis.xrange(svc.keys.stockDeadStream(shard), '-', '+'));
    assert.equal(copies.length, 1);
    assert.equal(await unsynced('DL'), 1);

    // Reconcile resolves the one copy: counted once, even when two operators race.
    const resolved = await Promise.all([0, 1].map(() => svc.repair.resolveDead(shard, copies[0]!.id, record!.lines.map(l => l.sku))));
    assert.deepEqual(resolved.sort(), [false, true]);
    assert.equal(await unsynced('DL'), 0);
    assert.equal(await redis.xlen(svc.keys.stockDeadStream(shard)), 0);
  });

  it('realign sets synced to seq only if neither moved since they were read', async () => {
    await svc.warmUp(['RA'], figures({ RA: { stock: 10 } }));
    await buy('RA');
    const shard = shardOf('RA');
    await redis.hincrby(svc.keys.item(shard, 'RA'), 'synced', 3); // a counter broken by an older bug
    const item = await svc.readItem('RA');
    assert.deepEqual([item.seq, item.synced], [1, 3]);
    await buy('RA'); // a record written after the figures were read
    assert.deepEqual(await svc.repair.realignSynced(shard, 'RA', item), { code: 'STALE', seq: 2, synced: 3 });
    const now = await svc.readItem('RA');
    assert.deepEqual(await svc.repair.realignSynced(shard, 'RA', now), { code: 'REALIGNED', previousSynced: 3, seq: 2 });
    assert.equal(await unsynced('RA'), 0);
    assert.deepEqual(await svc.repair.realignSynced(shardOf('NOPE'), 'NOPE', { seq: 0, synced: 0 }), { code: 'MISSING' });
  });
});
