// RocketMQ unreachable for 10 s: the forwarder (a child process whose gRPC traffic goes through an HTTP
// CONNECT proxy this test cuts) keeps its batch in hand and backs off, the backlog waits in the streams
// and shows up as lag, and every order arrives after the path returns. The shared broker keeps running.
import assert from 'node:assert/strict';
import { deadStreamOf } from '../../src/services/productcatalog/workers';
import { figures } from './stock-fixtures';
import { startOrderReader, type OrderReader } from './forwarder-harness';
import {
  allDrained, redisMode, reserve, sleep, spawnWorkerChild, startConnectProxy, stockRig, streamLength, waitFor,
  type Cuttable, type StockRig, type WorkerChild,
} from './stock-writer-harness';

const GROUP = 'order-forwarder';
const OUTAGE_MS = 10_000;

interface ChildStats {
  forwarder?: { connected: boolean; lagMs: number; deadLettered: number; loops: { failures: number }[] };
}
const fstats = (c: WorkerChild) => (c.stats() as ChildStats | undefined)?.forwarder;

describe(`forwarder: RocketMQ unreachable for 10 s (${redisMode} Redis)`, function () {
  this.timeout(180_000);
  let rig: StockRig;
  let reader: OrderReader | undefined;
  let proxy: (Cuttable & { tunnels(): number }) | undefined;
  let child: WorkerChild | undefined;

  before(async () => {
    rig = await stockRig(2);
    proxy = await startConnectProxy(['127.0.0.1:8081']);
  });
  after(async () => {
    await child?.stop();
    await reader?.stop();
    await proxy?.close();
    await rig?.cleanup();
  });

  it('holds the backlog in the streams (lag grows), then forwards everything once the broker is reachable again', async () => {
    await rig.stock.warmUp(['FO-A', 'FO-B'], figures({ 'FO-A': { stock: 1000 }, 'FO-B': { stock: 1000 } }));
    const prefix = `${rig.namespace}-fo`;
    reader = await startOrderReader(prefix);
    const ids: string[] = [];
    const order = async (i: number) => {
      const id = `${prefix}-${i}`;
      assert.equal((await reserve(rig.stock, id, [{ sku: i % 2 ? 'FO-A' : 'FO-B', qty: 1 }])).kind, 'RESERVED');
      ids.push(id);
      return id;
    };

    child = spawnWorkerChild({
      namespace: rig.namespace,
      shards: 2,
      mysqlUrl: 'mysql://unused:unused@127.0.0.1:1/unused',
      run: 'forwarder',
      settings: { forwarder: { batchSize: 10, blockMs: 200, claimIdleMs: 60_000, claimIntervalMs: 1000, lagProbeMs: 200, backoff: { initialMs: 200, maxMs: 2000, jitter: 0.2 } } },
      // every gRPC channel of the child (routes, telemetry, sends) through the cuttable proxy
      env: { grpc_proxy: `http://127.0.0.1:${proxy!.port}`, no_grpc_proxy: 'nothing.invalid' },
    });
    await waitFor('the producer to start through the proxy', () => fstats(child!)?.connected === true, 60_000);
    for (let i = 0; i < 20; i++) await order(i);
    await waitFor('the first orders', () => ids.every(id => reader!.counts().has(id)), 60_000);
    assert.ok(proxy!.tunnels() > 0, 'traffic went through the proxy');

    proxy!.cut();
    const outageEnds = Date.now() + OUTAGE_MS;
    const during: string[] = [];
    for (let i = 20; i < 80; i++) during.push(await order(i));
    await waitFor('the forwarder to feel the outage', () => fstats(child!)?.loops.some(l => l.failures > 0) === true, 30_000);
    await waitFor('lag to show the waiting backlog', () => (fstats(child!)?.lagMs ?? 0) > 0, 10_000);
    await sleep(Math.max(0, outageEnds - Date.now()));
    assert.ok(during.every(id => !reader!.counts().has(id)), 'nothing got through while the broker was unreachable');
    proxy!.restore();

    for (let i = 80; i < 100; i++) await order(i);
    const streams = rig.stock.keys.allShards().map(s => rig.stock.keys.ordersStream(s));
    await waitFor('every order on order-created', () => ids.every(id => reader!.counts().has(id)), 120_000);
    await waitFor('the orders streams to drain', () => allDrained(rig.redis, streams, GROUP), 30_000);
    await waitFor('lag back to 0', () => fstats(child!)?.lagMs === 0, 10_000);

    assert.deepEqual([...reader.counts().keys()].sort(), [...ids].sort(), 'exactly the reserved orders, none lost');
    assert.equal(fstats(child!)!.deadLettered, 0);
    assert.equal(await streamLength(rig.redis, streams.map(deadStreamOf)), 0);
    assert.equal((await child.stop()).code, 0);
  });
});
