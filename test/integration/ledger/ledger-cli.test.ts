// `scripts/ledger.ts` exit codes, spawned as `make ledger` runs it: 0 clean, 1 breach, 2 could not check.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { useTestDatabase } from '../../support/test-database';
import { redisEnv } from '../stock-writer-harness';
import { startLedgerRig, type LedgerRig } from './ledger-rig';

const CLI = resolve(__dirname, '../../../scripts/ledger.ts');
const SKU = 'LEDGER-CLI-1';

describe('ledger CLI (scripts/ledger.ts)', function () {
  this.timeout(120_000);
  const tdb = useTestDatabase();
  let rig: LedgerRig;

  function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      env: { ...process.env, ...redisEnv(), MYSQL_URL: tdb.current.config.mysql.url, INVENTORY_SHARDS: '4', LOG_LEVEL: 'error', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise(done => child.on('exit', code => done({ code, out, err })));
  }

  before(async () => {
    rig = await startLedgerRig(tdb.current.db, { [SKU]: { stock: 5, limit: 2 } });
    for (let i = 0; i < 3; i++) assert.equal(await rig.reserve(`cli-${rig.rig.namespace}-${i}`, `u${i}`, [{ sku: SKU, qty: 1 }]), 'RESERVED');
    await rig.persistAccepted();
  });

  after(async () => {
    await rig?.close();
  });

  it('exit 0 and a CLEAN table once drained', async () => {
    const r = await run(['--namespace', rig.rig.namespace, '--wait-drain', '30000', '--reconcile']);
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, /CLEAN\s+drained/);
    assert.match(r.out, new RegExp(`^${SKU}\\s+\\d+\\s+2\\s+2\\s+3\\s+3\\s+5\\s+0\\s+CLEAN$`, 'm'));
    assert.match(r.out, /^minute\s+accepted\s+persisted\s+binlog$/m);
  });

  it('--json prints the LedgerReport', async () => {
    const r = await run(['--namespace', rig.rig.namespace, '--json', '--sku', SKU]);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out) as { clean: boolean; items: { sku: string; redisStock: number }[] };
    assert.equal(report.clean, true);
    assert.deepEqual(report.items.map(i => [i.sku, i.redisStock]), [[SKU, 2]]);
  });

  it('exit 1 on a breach, naming it', async () => {
    const keys = rig.rig.stock.keys;
    await rig.rig.redis.hincrby(keys.item(keys.shardOf(SKU), SKU), 'stock', 1);
    try {
      const r = await run(['--namespace', rig.rig.namespace]);
      assert.equal(r.code, 1, r.out + r.err);
      assert.match(r.out, /BREACH/);
      assert.match(r.out, new RegExp(`redis-equals-mysql\\s+sku=${SKU}`));
    } finally {
      await rig.rig.redis.hincrby(keys.item(keys.shardOf(SKU), SKU), 'stock', -1);
    }
  });

  it('exit 2 on bad arguments and on an unreachable store', async () => {
    const bad = await run(['--wait-drain', 'soon']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--wait-drain/);
    const down = await run(['--namespace', rig.rig.namespace], { REDIS_URL: 'redis://127.0.0.1:1', REDIS_CLUSTER_NODES: '', STARTUP_CHECK_TIMEOUT_MS: '1000' });
    assert.equal(down.code, 2, down.out + down.err);
    assert.match(down.err, /REDIS_URL/);
  });
});
