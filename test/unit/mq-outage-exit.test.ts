// Stopping clients while the proxy is down must still let the process exit. With the bare client it does not:
// shutdown() throws on NotifyClientTermination before closing channels, and the telemetry stream keeps
// reconnecting every second. The proxy here is a minimal fake gRPC server (unit test), so it can be killed.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  MessagingServiceService, type IMessagingServiceServer,
} from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_grpc_pb';
import * as pb from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_pb';
import * as def from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb';
import { Duration } from 'google-protobuf/google/protobuf/duration_pb';

const mqIndex = path.resolve(__dirname, '../../src/platform/mq/index.ts');

/** Routes every topic to itself, answers each settings sync with those settings, receives are always empty. */
async function startFakeProxy(): Promise<{ port: number; kill: () => void }> {
  const server = new grpc.Server();
  let port = 0;
  const ok = () => new def.Status().setCode(def.Code.OK);
  const impl: Partial<IMessagingServiceServer> = {
    queryRoute(call, cb) {
      const endpoints = new def.Endpoints().setScheme(def.AddressScheme.IPV4);
      endpoints.addAddresses().setHost('127.0.0.1').setPort(port);
      const queue = new def.MessageQueue().setTopic(call.request.getTopic()).setId(0).setPermission(def.Permission.READ_WRITE)
        .setBroker(new def.Broker().setName('fake').setId(0).setEndpoints(endpoints))
        .setAcceptMessageTypesList([def.MessageType.NORMAL]);
      cb(null, new pb.QueryRouteResponse().setStatus(ok()).setMessageQueuesList([queue]));
    },
    heartbeat: (_call, cb) => cb(null, new pb.HeartbeatResponse().setStatus(ok())),
    notifyClientTermination: (_call, cb) => cb(null, new pb.NotifyClientTerminationResponse().setStatus(ok())),
    telemetry(call) {
      call.on('data', (cmd: pb.TelemetryCommand) => {
        const settings = cmd.getSettings();
        if (!settings) return;
        // A real proxy always adds the retry policy; the client crashes the process without it.
        const backoff = new def.ExponentialBackoff().setMultiplier(2)
          .setInitial(new Duration().setNanos(10_000_000)).setMax(new Duration().setSeconds(1));
        settings.setBackoffPolicy(new def.RetryPolicy().setMaxAttempts(3).setExponentialBackoff(backoff));
        call.write(new pb.TelemetryCommand().setSettings(settings));
      });
      call.on('end', () => call.end());
    },
    receiveMessage(call) {
      setTimeout(() => {
        call.write(new pb.ReceiveMessageResponse().setStatus(new def.Status().setCode(def.Code.MESSAGE_NOT_FOUND)));
        call.end();
      }, 100);
    },
  };
  server.addService(MessagingServiceService, impl as grpc.UntypedServiceImplementation);
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
  return { port, kill: () => server.forceShutdown() };
}

/** Child: starts a producer and a consumer, says "started" after a first poll, stops both on a line from stdin. */
function childCode(endpoints: string): string {
  return `
    const mq = require(${JSON.stringify(mqIndex)});
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const common = { endpoints: ${JSON.stringify(endpoints)}, namespace: '', logger, startupTimeoutMs: 5000 };
    let polled = false;
    const producer = mq.createMqProducer({ ...common, topics: ['t'] });
    const consumer = mq.createMqConsumer({ ...common, group: 'g', topic: 't', batchSize: 1, invisibleMs: 5000, awaitMs: 1000,
      handler: async b => b.map(() => mq.ack), metrics: e => { if (e.type === 'polled') polled = true; } });
    (async () => {
      await producer.start();
      await consumer.start();
      while (!polled) await new Promise(r => setTimeout(r, 20));
      console.log('started');
      process.stdin.once('data', async () => {
        process.stdin.destroy();
        await Promise.all([consumer.stop(), producer.stop()]);
        console.log('stopped');
      });
    })().catch(err => { console.log('failed ' + err.message); process.exitCode = 1; });
  `;
}

function waitForLine(child: ChildProcessWithoutNullStreams, line: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`child did not print "${line}" within ${ms} ms: ${out}`)), ms);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').includes(line)) { clearTimeout(timer); resolve(); }
    });
  });
}

describe('mq clients stopped during a proxy outage (fake proxy)', function () {
  this.timeout(30_000);

  it('stop() returns and the process exits on its own while the proxy is down', async () => {
    const proxy = await startFakeProxy();
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', childCode(`127.0.0.1:${proxy.port}`)]);
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
    try {
      await waitForLine(child, 'started', 15_000);
      proxy.kill();
      await new Promise(resolve => setTimeout(resolve, 2_500)); // receives fail, telemetry starts reconnecting
      const stopped = waitForLine(child, 'stopped', 5_000);
      child.stdin.write('stop\n');
      await stopped;
      const code = await Promise.race([exited, new Promise(resolve => setTimeout(() => resolve('still running'), 5_000))]);
      assert.equal(code, 0, 'the child process should exit by itself after stop()');
    } finally {
      child.kill('SIGKILL');
      proxy.kill();
    }
  });
});
