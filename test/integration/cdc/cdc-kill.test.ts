// The CDC reader killed mid-stream (SIGKILL, a real child process running `main cdc`) and restarted:
// every change event is delivered and applied exactly once. The reader saves its position rarely here
// (CDC_CHECKPOINT_INTERVAL_MS=10 min), so the restart replays everything it had sent: the consumer must
// drop those replays. The effect counted is not idempotent by itself — +1 stock edits made in MariaDB
// while a reservation is in flight are ADDED to Redis — so a duplicate or a loss shows in the figure.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cdcPositions } from '../../../src/services/cdc/schema';
import { projectPath } from '../../../src/platform/paths';
import { eventually, nextSecondAfter, randomServerId, startCdcRig, CDC_TOPIC, type CdcRig } from './cdc-rig';

const EDITS = 30;
const KILL_AFTER_APPLIED = 8;

function spawnReader(rig: CdcRig, serverId: number): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', projectPath('src', 'main.ts'), 'cdc'], {
    cwd: projectPath(),
    env: {
      ...process.env,
      MYSQL_URL: rig.tdb.config.mysql.url,
      MYSQL_MIGRATE_ON_START: 'false',
      CDC_ROLES: 'reader',
      CDC_TOPIC,
      CDC_SERVER_ID: String(serverId),
      CDC_PORT: '0',
      METRICS_PORT: '0',
      CDC_CHECKPOINT_INTERVAL_MS: '600000',
      CDC_IDLE_CHECKPOINT_MS: '600000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

describe('cdc: reader killed mid-stream (SIGKILL) and restarted → each change applied exactly once', function () {
  this.timeout(180_000);
  let rig: CdcRig;
  const children: ChildProcess[] = [];

  before(async () => {
    rig = await startCdcRig({ productCount: 1, stock: 1_000 });
    await rig.products.start();
  });
  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await rig?.close();
  });

  it(`${EDITS} stock edits, reader killed after ${KILL_AFTER_APPLIED} were applied: Redis gains exactly ${EDITS}, each event applied once`, async () => {
    const sku = rig.skus[0]!;
    const stock = rig.catalog.stock;
    const [warm] = await stock.warmUp([sku], ids => rig.catalog.items.figures(ids));
    assert.equal(warm?.status, 'WARMED');
    // One reservation in flight (no write-behind here): Redis 999, MySQL 1000, so edits take the delta path.
    assert.equal((await stock.reserve({ orderId: `o-${rig.ns}`, userId: 'u', lines: [{ sku, qty: 1 }], orderPayload: 'x' })).kind, 'RESERVED');
    await nextSecondAfter((await stock.readItem(sku)).warmedAt ?? 0);

    const serverId = randomServerId();
    const position = async () => (await rig.tdb.db.select().from(cdcPositions))[0];
    const first = spawnReader(rig, serverId);
    children.push(first);
    await eventually('the first reader saved its start position', 60_000, async () => (await position()) !== undefined);
    const start = (await position())!;

    const edit = () => rig.tdb.database.pool.query('UPDATE products SET stock = stock + 1 WHERE id = ?', [sku]);
    let made = 0;
    for (; made < EDITS && rig.products.stats.applied < KILL_AFTER_APPLIED; made++) {
      await edit();
      await new Promise(r => setTimeout(r, 100));
    }
    await eventually(`${KILL_AFTER_APPLIED} edits applied before the kill`, 30_000, async () => rig.products.stats.applied >= KILL_AFTER_APPLIED);
    first.kill('SIGKILL');
    assert.equal((await exited(first)).signal, 'SIGKILL');
    const appliedAtKill = rig.products.stats.applied;
    assert.ok(appliedAtKill < EDITS, 'killed mid-stream');
    for (; made < EDITS; made++) await edit(); // written while no reader runs: only the binlog has them
    const saved = (await position())!;
    assert.deepEqual([saved.binlogFile, saved.binlogPosition], [start.binlogFile, start.binlogPosition], 'no checkpoint after the start: the restart replays');

    const second = spawnReader(rig, serverId);
    children.push(second);
    await eventually(`all ${EDITS} edits applied`, 60_000, async () => rig.products.stats.applied >= EDITS);
    await eventually('the replays of what the first reader sent were dropped', 60_000, async () => rig.products.stats.duplicates >= appliedAtKill).catch(e => { throw new Error(`${(e as Error).message}: ${JSON.stringify({ ...rig.products.stats, appliedAtKill })}`); });
    // Quiet for 2 s: nothing more arrives.
    let last = -1;
    await eventually('the consumer is quiet', 30_000, async () => {
      const now = rig.products.stats.applied + rig.products.stats.duplicates + rig.products.stats.retried;
      const quiet = now === last;
      last = now;
      if (!quiet) await new Promise(r => setTimeout(r, 2_000));
      return quiet;
    });

    assert.equal(rig.products.stats.applied, EDITS, 'each change event applied once');
    assert.equal(rig.products.stats.retried, 0);
    const info = await rig.rpc.getStock({ productId: sku });
    assert.equal(info.mysqlStock, BigInt(1_000 + EDITS));
    assert.equal(info.redisStock, BigInt(999 + EDITS), 'Redis gained exactly one unit per edit');
    const markers = await rig.redis.keys(`test:${rig.ns}:cdc:done:*`);
    assert.equal(markers.length, EDITS, 'one dedupe marker per change event');

    // Graceful stop (SIGTERM): the reader drains and saves the end of what it sent.
    second.kill('SIGTERM');
    assert.equal((await exited(second)).code, 0);
    const after = (await position())!;
    assert.ok(after.binlogFile > start.binlogFile || after.binlogPosition > start.binlogPosition, 'position saved at stop');
  });
});
