// Issue 9 "Done when": during a test sale the three reconciliation counters match after drain, with every
// stage real — accepted ids from the ledger's own stream group, persisted ids from MySQL, and binlog order
// inserts recorded by the real CDC path (binlog reader → RocketMQ it-row-changed → order-change consumer);
// an order row deleted behind the system's back is then reported by id.
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { systemClock } from '../../../src/platform/clock';
import { createMqConsumer, createMqProducer, type MqConsumer, type MqProducer } from '../../../src/platform/mq';
import type { BinlogReader } from '../../../src/services/cdc/reader';
import { binlogTarget, createCdcReader, orderConsumerHandler } from '../../../src/services/cdc/wiring';
import { readRecorded } from '../../../src/services/ledger/reconciliation-counters';
import { uniqueId } from '../../support/ids';
import { testConfig } from '../../support/test-config';
import { useTestDatabase } from '../../support/test-database';
import { testLogger } from '../../support/test-logger';
import { CDC_TOPIC, randomServerId } from '../cdc/cdc-rig';
import { startLedgerRig, type LedgerRig } from './ledger-rig';

const HOT = 'RECON-HOT';
const OTHER = 'RECON-A';

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await check()); await new Promise(r => setTimeout(r, 200))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('reconciliation counters with the real binlog stage (CDC)', function () {
  this.timeout(180_000);
  const tdb = useTestDatabase();
  let rig: LedgerRig;
  let producer: MqProducer | undefined;
  let reader: BinlogReader | undefined;
  let consumer: MqConsumer | undefined;
  const accepted: string[] = [];

  before(async () => {
    rig = await startLedgerRig(tdb.current.db, { [HOT]: { stock: 8, limit: 1 }, [OTHER]: { stock: 40 } });
    const logger = testLogger('recon-cdc');
    const { rocketmq } = testConfig();
    const namespace = rig.rig.namespace;
    producer = createMqProducer({ ...rocketmq, topics: [CDC_TOPIC], logger, startupTimeoutMs: rocketmq.startupTimeoutMs });
    await producer.start();
    const p = producer;
    reader = createCdcReader({
      database: tdb.current.database,
      target: binlogTarget(tdb.current.config.mysql.url),
      serverId: randomServerId(),
      tables: ['orders'],
      topic: CDC_TOPIC,
      send: m => p.send(m),
      settings: { checkpointIntervalMs: 200, idleCheckpointMs: 5_000, maxQueuedTransactions: 1_000 },
      clock: systemClock,
      logger,
    });
    await reader.start();
    const group = uniqueId('GID_it_recon_orders');
    const handler = orderConsumerHandler({
      redis: rig.rig.redis,
      database: tdb.current.database,
      databaseName: tdb.current.name,
      clock: systemClock,
      logger,
      group,
      dedupeTtlMs: 3_600_000,
      retryMs: 1_000,
      keyPrefix: `test:${namespace}:`,
      resultTtlMs: 3_600_000,
      resultPrefix: `test:${namespace}:`,
      reconNamespace: namespace,
    });
    consumer = createMqConsumer({
      ...rocketmq,
      group,
      topic: CDC_TOPIC,
      tag: 'orders',
      batchSize: 16,
      invisibleMs: 10_000,
      awaitMs: 1_000,
      logger,
      handler,
    });
    await consumer.start();

    // 20 buyers for 8 hot units (limit 1); every third also takes OTHER.
    for (let i = 0; i < 20; i++) {
      const id = `recon-${namespace}-${i}`;
      const lines = [{ sku: HOT, qty: 1 }];
      if (i % 3 === 0) lines.push({ sku: OTHER, qty: 2 });
      if ((await rig.reserve(id, `recon-user-${i}`, lines)) === 'RESERVED') accepted.push(id);
    }
    const inserted = await rig.persistAccepted({ binlog: 'real' });
    assert.deepEqual([...inserted].sort(), [...accepted].sort());
    await rig.observer.pollOnce();
  });

  after(async () => {
    await consumer?.stop();
    await reader?.stop();
    await producer?.stop();
    await rig?.close();
  });

  it('accepted = persisted = binlog inserts per minute after drain; the binlog stage holds exactly the accepted ids', async () => {
    assert.equal(accepted.length, 8, 'the hot item sold exactly its 8 units');
    const namespace = rig.rig.namespace;
    await until(async () => (await readRecorded(rig.rig.redis, 'binlog', 0, Date.now() + 1, { namespace })).size >= accepted.length, 'the binlog stage');
    const binlog = await readRecorded(rig.rig.redis, 'binlog', 0, Date.now() + 1, { namespace });
    assert.deepEqual([...binlog.keys()].sort(), [...accepted].sort());
    const checker = rig.checker();
    assert.equal(await checker.waitForDrain(30_000, { pollMs: 200 }), true);
    const { report, reconciliation } = await checker.checkAll();
    assert.deepEqual(report.breaches, []);
    for (const m of reconciliation.minutes) assert.ok(m.accepted === m.persisted && m.persisted === m.binlog, `minute ${JSON.stringify(m)}`);
    const totals = reconciliation.minutes.reduce((t, m) => ({ a: t.a + m.accepted, p: t.p + m.persisted, b: t.b + m.binlog }), { a: 0, p: 0, b: 0 });
    assert.deepEqual(totals, { a: 8, p: 8, b: 8 });
    assert.equal(reconciliation.gap, 0);
  });

  it('an order row deleted behind the system\'s back is reported by id', async () => {
    const victim = accepted[5]!;
    await rig.db.execute(sql`DELETE FROM order_items WHERE order_id = ${victim}`);
    await rig.db.execute(sql`DELETE FROM orders WHERE order_id = ${victim}`);
    const { report, reconciliation } = await rig.checker().checkAll();
    assert.equal(report.clean, false);
    assert.ok(
      report.breaches.some(b => b.orderId === victim),
      `breaches name ${victim}: ${JSON.stringify(report.breaches)}`,
    );
    const missing = JSON.stringify(reconciliation);
    assert.ok(missing.includes(victim), 'the reconciliation lists the id missing at the persisted stage');
  });
});
