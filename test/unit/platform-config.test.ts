import assert from 'node:assert/strict';
import { ConfigError, configRows, loadConfig, redactConfig, renderConfigTable } from '../../src/platform/config';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('platform config', () => {
  it('applies the documented defaults when the environment is empty', () => {
    const c = loadConfig({});
    assert.equal(c.log.level, 'info');
    assert.equal(c.grpc.host, '0.0.0.0');
    assert.deepEqual(
      { ...c.ports },
      { checkout: 5050, productCatalog: 3550, order: 5060, cart: 7070, currency: 7000, payment: 50051, shipping: 50052, email: 5000, ledger: 5070, cdc: 5072 },
    );
    assert.equal(c.metrics.port, 9464);
    assert.equal(c.addr.productCatalog, '127.0.0.1:3550');
    assert.equal(c.addr.shipping, '127.0.0.1:50052');
    assert.equal(c.addr.order, '127.0.0.1:5060');
    assert.equal(c.redis.url, 'redis://127.0.0.1:6390');
    assert.deepEqual(c.redis.clusterNodes, []);
    assert.equal(c.mysql.url, 'mysql://shop:shop@127.0.0.1:3316/shop');
    assert.equal(c.mysql.poolSize, 10);
    assert.equal(c.mysql.migrateOnStart, true);
    assert.equal(c.rocketmq.endpoints, '127.0.0.1:8081');
    assert.equal(c.rocketmq.namespace, '');
    assert.equal(c.rocketmq.startupTimeoutMs, 20000);
    assert.equal(c.rpc.deadlineMs, 2000);
    assert.equal(c.lifecycle.shutdownGraceMs, 10000);
    assert.equal(c.lifecycle.startupCheckTimeoutMs, 5000);
    assert.equal(c.admin.token, '');
  });

  it('reads and parses given values; an empty value counts as unset', () => {
    const c = loadConfig({
      CHECKOUT_PORT: '0',
      METRICS_PORT: '0',
      MYSQL_MIGRATE_ON_START: 'no',
      REDIS_CLUSTER_NODES: '127.0.0.1:7101, 127.0.0.1:7102,127.0.0.1:7103',
      ROCKETMQ_ENDPOINTS: 'a:8081,b:8081',
      LOG_LEVEL: 'debug',
      ORDER_PORT: '',
    });
    assert.equal(c.ports.checkout, 0);
    assert.equal(c.metrics.port, 0);
    assert.equal(c.mysql.migrateOnStart, false);
    assert.deepEqual(c.redis.clusterNodes, [
      { host: '127.0.0.1', port: 7101 },
      { host: '127.0.0.1', port: 7102 },
      { host: '127.0.0.1', port: 7103 },
    ]);
    assert.equal(c.rocketmq.endpoints, 'a:8081;b:8081');
    assert.equal(c.log.level, 'debug');
    assert.equal(c.ports.order, 5060);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['PRODUCT_CATALOG_PORT', 'abc', /^config: PRODUCT_CATALOG_PORT must be an integer port 0-65535 \(got "abc"\)$/],
    ['CHECKOUT_PORT', '70000', /^config: CHECKOUT_PORT must be an integer port 0-65535 \(got "70000"\)$/],
    ['METRICS_PORT', '-1', /^config: METRICS_PORT must be an integer port/],
    ['EMAIL_PORT', '50.5', /^config: EMAIL_PORT must be an integer port/],
    ['LOG_LEVEL', 'loud', /^config: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "loud"\)$/],
    ['GRPC_HOST', 'not a host', /^config: GRPC_HOST must be a host name or IP address/],
    ['CART_SERVICE_ADDR', 'localhost', /^config: CART_SERVICE_ADDR must be host:port/],
    ['PAYMENT_SERVICE_ADDR', 'h:0', /^config: PAYMENT_SERVICE_ADDR must be host:port with a port 1-65535/],
    ['REDIS_URL', 'http://x:1', /^config: REDIS_URL must use scheme redis:\/\/ or rediss:\/\//],
    ['REDIS_URL', 'nonsense', /^config: REDIS_URL must be a URL/],
    ['REDIS_CLUSTER_NODES', '127.0.0.1:7101,oops', /^config: REDIS_CLUSTER_NODES must be a comma-separated list of host:port/],
    ['MYSQL_URL', 'mysql://u:p@h:3306', /^config: MYSQL_URL must name a database/],
    ['MYSQL_POOL_SIZE', '0', /^config: MYSQL_POOL_SIZE must be an integer 1-1000 \(got "0"\)$/],
    ['MYSQL_MIGRATE_ON_START', 'maybe', /^config: MYSQL_MIGRATE_ON_START must be true or false/],
    ['ROCKETMQ_ENDPOINTS', ';;', /^config: ROCKETMQ_ENDPOINTS must be a ;-separated list/],
    ['ROCKETMQ_STARTUP_TIMEOUT_MS', '0', /^config: ROCKETMQ_STARTUP_TIMEOUT_MS must be an integer >= 1/],
    ['RPC_DEADLINE_MS', '1e3', /^config: RPC_DEADLINE_MS must be an integer >= 1 \(got "1e3"\)$/],
    ['SHUTDOWN_GRACE_MS', '-5', /^config: SHUTDOWN_GRACE_MS must be an integer >= 0/],
    ['STARTUP_CHECK_TIMEOUT_MS', 'soon', /^config: STARTUP_CHECK_TIMEOUT_MS must be an integer >= 1/],
  ];
  for (const [key, value, re] of bad) {
    it(`rejects ${key}=${JSON.stringify(value)} with one line naming the key`, () => {
      const err = errorOf({ [key]: value });
      assert.match(err.message, re);
      assert.equal(err.key, key);
      assert.ok(!err.message.includes('\n'), 'one line');
    });
  }

  it('never echoes a password or token in a validation error', () => {
    const err = errorOf({ MYSQL_URL: 'mysql://shop:s3cret@h:3306' });
    assert.ok(!err.message.includes('s3cret'), err.message);
    assert.match(err.message, /shop:\*\*\*@/);
  });

  it('returns a deep-frozen object', () => {
    const c = loadConfig({ REDIS_CLUSTER_NODES: 'h:1' });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.ports));
    assert.ok(Object.isFrozen(c.redis.clusterNodes));
    assert.ok(Object.isFrozen(c.redis.clusterNodes[0]));
    assert.throws(() => {
      (c.ports as { checkout: number }).checkout = 1;
    }, TypeError);
  });

  it('redacts URL passwords and secrets for logging', () => {
    const c = loadConfig({ ADMIN_TOKEN: 'tok-123', REDIS_URL: 'redis://:rpass@h:6390' });
    const r = redactConfig(c);
    const text = JSON.stringify(r);
    assert.ok(!text.includes('tok-123') && !text.includes('rpass') && !text.includes('shop:shop'), text);
    assert.equal(r.admin?.token, '[redacted]');
    assert.equal(r.mysql?.url, 'mysql://shop:***@127.0.0.1:3316/shop');
    assert.equal(r.ports?.checkout, 5050);
    assert.equal(redactConfig(loadConfig({})).admin?.token, '', 'unset secret stays visibly empty');
  });

  it('has unique env names and renders one table row per key with defaults redacted', () => {
    const rows = configRows();
    const names = rows.map(r => r.entry.env);
    assert.equal(new Set(names).size, names.length);
    const table = renderConfigTable();
    for (const n of names) assert.match(table, new RegExp(`^\\| \`${n}\` \\|`, 'm'));
    assert.ok(!table.includes('shop:shop@'), 'default password hidden');
    for (const r of rows) assert.doesNotThrow(() => r.entry.parse(r.entry.default), `default of ${r.entry.env} parses`);
  });
});
