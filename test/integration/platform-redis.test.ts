import assert from 'node:assert/strict';
import { defineScripts } from '../../src/platform/lua-scripts';
import { projectPath } from '../../src/platform/paths';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '../../src/platform/redis';
import { StartupError } from '../../src/platform/startup-error';
import { uniquePrefix } from '../support/ids';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';
import { createTestRedis, deleteKeys } from '../support/test-redis';

type FixtureScripts = { takeStock: [number, number]; sumKeys: number };

describe('platform redis (real Redis)', () => {
  let redis: RedisClient;
  const prefix = uniquePrefix('lua');

  before(async () => {
    redis = await createTestRedis('platform-redis-test');
  });
  after(async () => {
    await deleteKeys(redis, prefix);
    await closeRedis(redis);
  });

  it('runs a Lua script from a file through defineScripts, with its result', async () => {
    const scripts = defineScripts<FixtureScripts>(redis, projectPath('test/fixtures/lua'));
    assert.deepEqual([...scripts.names].sort(), ['sumKeys', 'takeStock']);
    const counter = `${prefix}counter`;
    const log = `${prefix}log`;
    await redis.set(counter, 3);
    assert.deepEqual(await scripts.run('takeStock', [counter, log], [2, 'o1']), [1, 1]);
    assert.deepEqual(await scripts.run('takeStock', [counter, log], [2, 'o2']), [0, 1]);
    assert.equal(await redis.get(counter), '1');
    assert.deepEqual(await redis.lrange(log, 0, -1), ['o1:2']);
  });

  it('passes a variable number of keys and exposes the script SHA for EVALSHA', async () => {
    const scripts = defineScripts<FixtureScripts>(redis, projectPath('test/fixtures/lua'));
    const keys = [1, 2, 3].map(i => `${prefix}n${i}`);
    await Promise.all(keys.map((k, i) => redis.set(k, i + 10)));
    assert.equal(await scripts.run('sumKeys', keys), 33);
    assert.equal(await scripts.run('sumKeys', keys.slice(0, 1)), 10);
    const info = scripts.info('sumKeys');
    assert.equal(await redis.evalsha(info.sha, 2, keys[0] as string, keys[1] as string), 21);
  });

  it('refuses a wrong key count before calling Redis', async () => {
    const scripts = defineScripts<FixtureScripts>(redis, projectPath('test/fixtures/lua'));
    await assert.rejects(scripts.run('takeStock', ['only-one'], [1, 'o']), /takeStock: expects 2 keys, got 1/);
  });

  it('fails start-up with one line naming REDIS_URL when Redis is unreachable', async () => {
    const config = testConfig({ REDIS_URL: 'redis://:secret@127.0.0.1:1', STARTUP_CHECK_TIMEOUT_MS: '500' });
    const client = createRedis(config, { logger: testLogger(), name: 'unreachable' });
    await assert.rejects(connectRedis(client, config), (err: Error) => {
      assert.ok(err instanceof StartupError);
      assert.match(err.message, /^startup: Redis not reachable at REDIS_URL=redis:\/\/:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/);
      assert.ok(!err.message.includes('secret') && !err.message.includes('\n'));
      return true;
    });
  });
});
