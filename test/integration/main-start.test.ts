// The entry point as an operator runs it: `main all` brings every service to SERVING and SIGTERM drains
// them; bad config or an unreachable dependency stops start-up with one line naming the key.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { assignServicePorts, freePort } from '../support/free-ports';
import { loadConfig } from '../../src/platform/config';
import { projectPath } from '../../src/platform/paths';
import { serviceModules } from '../../src/services/registry';
import { checkHealth, healthClient } from '../support/grpc-probes';
import { useTestDatabase } from '../support/test-database';

const MAIN = projectPath('src/main.ts');
const TSX = projectPath('node_modules/.bin/tsx');


interface Exit {
  readonly code: number | null;
  readonly stderr: string;
}

function run(args: readonly string[], env: Record<string, string>): { child: ChildProcess; exited: Promise<Exit> } {
  const child = spawn(TSX, [MAIN, ...args], { env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>(resolve => child.on('exit', code => resolve({ code, stderr })));
  return { child, exited };
}

async function waitServing(address: string, timeoutMs: number): Promise<void> {
  const client = healthClient(address);
  const until = Date.now() + timeoutMs;
  try {
    for (;;) {
      const statuses = await Promise.all(['', 'liveness', 'readiness'].map(s => checkHealth(client, s).catch(() => 'DOWN')));
      if (statuses.every(s => s === 'SERVING')) return;
      if (Date.now() > until) throw new Error(`${address} not SERVING: ${statuses.join(',')}`);
      await new Promise(r => setTimeout(r, 250));
    }
  } finally {
    client.close();
  }
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  return lines[0] as string;
}

describe('main entry point', function () {
  this.timeout(120_000);
  const testDb = useTestDatabase();

  it('starts every registered service with `all`, all SERVING, and drains on SIGTERM', async () => {
    const env: Record<string, string> = {
      MYSQL_URL: testDb.current.config.mysql.url,
      // a Redis database of its own, so this process's workers never touch the shop's streams
      REDIS_URL: 'redis://127.0.0.1:6390/7',
      ADMIN_TOKEN: 'main-start-test',
      METRICS_PORT: '0',
      // cdc serves health with no role: its consumers would share the shop's CDC groups (tested in test/integration/cdc/)
      CDC_ROLES: 'none',
    };
    const ports = await assignServicePorts(env);
    const { child, exited } = run(['all'], env);
    try {
      const config = loadConfig(env);
      assert.ok(serviceModules.length >= 6, 'every implemented service is registered');
      for (const m of serviceModules) await waitServing(`127.0.0.1:${m.port(config)}`, 60_000);
    } finally {
      child.kill('SIGTERM');
    }
    const { code, stderr } = await exited;
    assert.equal(code, 0, `exit code after SIGTERM; stderr:\n${stderr}`);
  });

  it('refuses a malformed port with one line naming the key', async () => {
    const { exited } = run(['all'], { PRODUCT_CATALOG_PORT: 'abc' });
    const { code, stderr } = await exited;
    assert.equal(code, 2);
    assert.match(oneLine(stderr), /^config: PRODUCT_CATALOG_PORT .*"abc"/);
  });

  it('refuses an unreachable Redis with one line naming REDIS_URL', async () => {
    const { exited } = run(['cart'], { REDIS_URL: 'redis://127.0.0.1:1', STARTUP_CHECK_TIMEOUT_MS: '1000', CART_PORT: '0', METRICS_PORT: '0' });
    const { code, stderr } = await exited;
    assert.equal(code, 2);
    assert.match(oneLine(stderr), /REDIS_URL=redis:\/\/127\.0\.0\.1:1/);
  });

  it('refuses an unreachable MySQL with one line naming MYSQL_URL (password hidden)', async () => {
    const { exited } = run(['payment'], { MYSQL_URL: 'mysql://shop:secret@127.0.0.1:1/shop', STARTUP_CHECK_TIMEOUT_MS: '1000', PAYMENT_PORT: '0', METRICS_PORT: '0' });
    const { code, stderr } = await exited;
    assert.equal(code, 2);
    const line = oneLine(stderr);
    assert.match(line, /MYSQL_URL=/);
    assert.doesNotMatch(line, /secret/);
  });

  it('refuses an unknown service name with one line listing the known ones', async () => {
    const { exited } = run(['nosuch'], {});
    const { code, stderr } = await exited;
    assert.equal(code, 2);
    assert.match(oneLine(stderr), /unknown service\(s\): nosuch .*known: .*cart/);
  });
});

