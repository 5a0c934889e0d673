// Crash test: the forwarder runs in a child process that SIGKILLs itself after the broker confirmed a
// batch but before the XACK. A fresh process takes the entries over: every order arrives, and the only
// repeats are those very orders again (same id, same body).
import assert from 'node:assert/strict';
import { figures } from './stock-fixtures';
import { startOrderReader, type OrderReader } from './forwarder-harness';
import { allDrained, redisMode, reserve, spawnWorkerChild, stockRig, waitFor, type StockRig, type WorkerChild } from './stock-writer-harness';

const GROUP = 'order-forwarder';
const settings = { forwarder: { batchSize: 10, blockMs: 200, claimIdleMs: 500, claimIntervalMs: 300, lagProbeMs: 200 } };

const connected = (c: WorkerChild) => (c.stats() as { forwarder?: { connected?: boolean } } | undefined)?.forwarder?.connected === true;

describe(`forwarder: killed between send and XACK (${redisMode} Redis)`, function () {
  this.timeout(180_000);
  let rig: StockRig;
  let reader: OrderReader | undefined;

  before(async () => {
    rig = await stockRig(2);
  });
  after(async () => {
    await reader?.stop();
    await rig?.cleanup();
  });

  it('a restarted forwarder re-sends only what was not acked; nothing is lost', async () => {
    await rig.stock.warmUp(['FK-A', 'FK-B'], figures({ 'FK-A': { stock: 1000 }, 'FK-B': { stock: 1000 } }));
    const prefix = `${rig.namespace}-fk`;
    reader = await startOrderReader(prefix);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const id = `${prefix}-${i}`;
      assert.equal((await reserve(rig.stock, id, [{ sku: i % 2 ? 'FK-A' : 'FK-B', qty: 1 }])).kind, 'RESERVED');
      ids.push(id);
    }
    const base = { namespace: rig.namespace, shards: 2, mysqlUrl: 'mysql://unused:unused@127.0.0.1:1/unused', run: 'forwarder' as const, settings };
    const first = spawnWorkerChild({ ...base, killAt: 'after-send', killOnBatch: 2 });
    assert.equal((await first.exitWithin(60_000)).signal, 'SIGKILL');

    const second = spawnWorkerChild(base);
    await waitFor('the restarted producer', () => connected(second), 60_000);
    const streams = rig.stock.keys.allShards().map(s => rig.stock.keys.ordersStream(s));
    await waitFor('the orders streams to drain', () => allDrained(rig.redis, streams, GROUP), 60_000);
    await waitFor('every order on order-created', () => ids.every(id => reader!.counts().has(id)), 60_000);
    assert.equal((await second.stop()).code, 0);

    const r = reader;
    const counts = r.counts();
    assert.deepEqual([...counts.keys()].sort(), [...ids].sort(), 'exactly the reserved orders');
    const repeated = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
    assert.ok(repeated.length > 0, 'the batch confirmed before the crash was sent again');
    for (const id of repeated) {
      const bodies = new Set<string>(r.messages.filter(m => m.keys[0] === id).map(m => m.body.toString('hex')));
      assert.equal(bodies.size, 1, `${id}: repeats carry the same body`);
    }
  });
});
