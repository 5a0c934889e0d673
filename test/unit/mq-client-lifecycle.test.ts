import assert from 'node:assert/strict';
import { describeFailure, shutdownClient, startClient, type ManagedClient } from '../../src/platform/mq/client-lifecycle';
import { MqStartupError } from '../../src/platform/mq/errors';
import { StartupError } from '../../src/platform/startup-error';
import type { MqLogger } from '../../src/platform/mq/types';

const quiet: MqLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Fake client: startup is controlled by the test; counts shutdowns and channel closes. */
function fakeClient(startup: () => Promise<void>, shutdown: () => Promise<void> = async () => {}) {
  const calls = { shutdown: 0, close: 0 };
  const originalStream = (() => { throw new Error('real telemetry stream'); }) as unknown as ManagedClient['createTelemetryStream'];
  const client: ManagedClient = {
    startup,
    async shutdown() { calls.shutdown += 1; await shutdown(); },
    createTelemetryStream: originalStream,
    getRpcClientManager: () => ({ close() { calls.close += 1; } }),
    onSettingsCommand() {},
    settingsCommand: (() => 'settings') as unknown as ManagedClient['settingsCommand'],
    telemetry() {},
  };
  return { client, calls, originalStream };
}

describe('mq client lifecycle', () => {
  const opts = { what: 'producer', endpoints: '127.0.0.1:1', timeoutMs: 50, logger: quiet };

  it('a startup that never finishes is cut at the timeout, names the config keys, and the client is shut down', async () => {
    const { client, calls } = fakeClient(() => new Promise(() => {}));
    await assert.rejects(startClient(client, opts), (err: unknown) => {
      assert.ok(err instanceof MqStartupError && err instanceof StartupError); // main prints it as one line
      assert.equal(err.key, 'ROCKETMQ_ENDPOINTS');
      assert.match(err.message, /RocketMQ producer not reachable at ROCKETMQ_ENDPOINTS=127\.0\.0\.1:1: no settings from the proxy within 50 ms/);
      assert.match(err.message, /ROCKETMQ_STARTUP_TIMEOUT_MS=50/);
      return true;
    });
    assert.equal(calls.shutdown, 1);
  });

  it('shuts down again once an abandoned startup settles (it may have opened channels meanwhile)', async () => {
    let finish!: () => void;
    const { client, calls } = fakeClient(() => new Promise<void>(resolve => { finish = resolve; }));
    await assert.rejects(startClient(client, opts), MqStartupError);
    finish();
    await new Promise(resolve => setImmediate(resolve));
    await new Promise(resolve => setImmediate(resolve));
    assert.equal(calls.shutdown, 2);
  });

  it('a startup that fails on its own is wrapped with its reason and shut down once', async () => {
    const { client, calls } = fakeClient(async () => { throw new Error('Failed to fetch topic routes after 3 attempts'); });
    await assert.rejects(startClient(client, { ...opts, timeoutMs: 5_000 }), /not reachable at ROCKETMQ_ENDPOINTS=127\.0\.0\.1:1: Failed to fetch topic routes after 3 attempts/);
    assert.equal(calls.shutdown, 1);
  });

  it('re-sends settings while startup waits, so a settings reply that came too early cannot hang it', async () => {
    type Endpoints = Parameters<ManagedClient['onSettingsCommand']>[0];
    type Settings = Parameters<ManagedClient['onSettingsCommand']>[1];
    const endpoints = { facade: 'proxy:8081' } as unknown as Endpoints;
    let waiting: (() => void) | undefined;
    const sent: unknown[] = [];
    const { client } = fakeClient(() => new Promise<void>(resolve => {
      client.onSettingsCommand(endpoints, {} as Settings); // reply arrives while routes are still being fetched: lost
      setTimeout(() => { waiting = resolve; }, 5); // only now does startup wait for settings
    }));
    client.onSettingsCommand = () => waiting?.();
    client.telemetry = (to, command) => { sent.push([to, command]); client.onSettingsCommand(to, {} as Settings); };
    await startClient(client, { ...opts, timeoutMs: 2_000, settingsNudgeMs: 20 });
    assert.ok(sent.length >= 1);
    assert.deepEqual(sent[0], [endpoints, 'settings']);
  });

  it('describes a client failure in one line: the cause chain without the generic wrapper or FAQ links', () => {
    const grpc = new Error('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: ');
    const routes = new Error('Failed to fetch topic routes after 3 attempts', { cause: grpc });
    const wrapper = new Error('Startup the rocketmq client failed, clientId=x, error=Error: Failed…', { cause: routes });
    assert.equal(describeFailure(wrapper),
      'Failed to fetch topic routes after 3 attempts: 14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1.');
    const notFound = new Error('CODE: 17  DESC: No topic route info in name server for the topic: nope\nFor more information, please visit …');
    assert.equal(describeFailure(notFound), 'CODE: 17  DESC: No topic route info in name server for the topic: nope');
  });

  it('shutdown swaps in an inert telemetry stream and closes channels itself when the client shutdown throws', async () => {
    const { client, calls, originalStream } = fakeClient(async () => {}, async () => { throw new Error('14 UNAVAILABLE'); });
    await shutdownClient(client, quiet, 'consumer');
    assert.notEqual(client.createTelemetryStream, originalStream);
    const endpoints = undefined as unknown as Parameters<ManagedClient['createTelemetryStream']>[0];
    const stream = client.createTelemetryStream(endpoints);
    assert.doesNotThrow(() => { stream.write(undefined as never); stream.end(); });
    assert.equal(calls.close, 1);
  });
});
