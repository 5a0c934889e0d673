// Start-up against an unreachable or silent endpoint: start() must reject within the timeout with a message naming
// ROCKETMQ_ENDPOINTS, and the process must then exit on its own (the client's timers/channels are all released).
// Each case runs in a child node process, because only a fresh process can show that nothing keeps it alive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';

const mqIndex = path.resolve(__dirname, '../../src/platform/mq/index.ts');

interface ChildResult { code: number | null; exitedAfterMs: number; report: { ok: boolean; typed?: boolean; message?: string; ms: number } }

function runChild(kind: 'producer' | 'consumer', endpoints: string, timeoutMs: number, exitWithinMs: number): Promise<ChildResult> {
  const code = `
    const mq = require(${JSON.stringify(mqIndex)});
    const logger = { debug() {}, info() {}, warn() {}, error() {} };
    const common = { endpoints: ${JSON.stringify(endpoints)}, namespace: '', logger, startupTimeoutMs: ${timeoutMs} };
    const client = ${JSON.stringify(kind)} === 'producer'
      ? mq.createMqProducer({ ...common, topics: ['it-normal'] })
      : mq.createMqConsumer({ ...common, group: 'GID_it_normal', topic: 'it-normal', batchSize: 1, invisibleMs: 5000,
          awaitMs: 1000, handler: async b => b.map(() => mq.ack) });
    const t0 = Date.now();
    client.start().then(
      () => console.log(JSON.stringify({ ok: true, ms: Date.now() - t0 })),
      err => console.log(JSON.stringify({ ok: false, typed: err instanceof mq.MqStartupError, message: err.message, ms: Date.now() - t0 })));
  `;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', d => { out += d; });
    child.stderr.on('data', d => { err += d; });
    const killer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child (${kind} at ${endpoints}) did not exit within ${exitWithinMs} ms; stdout=${out} stderr=${err}`));
    }, exitWithinMs);
    child.on('exit', exitCode => {
      clearTimeout(killer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve({ code: exitCode, exitedAfterMs: Date.now() - started, report: JSON.parse(line) });
      } catch {
        reject(new Error(`child printed no report; stdout=${out} stderr=${err}`));
      }
    });
  });
}

describe('mq: start-up timeout and clean exit', function () {
  this.timeout(60_000);
  let blackHole: Server;
  const sockets = new Set<Socket>();

  before(async () => {
    // Accepts TCP and never speaks HTTP/2: gRPC calls hang until their deadline, like a wedged proxy.
    blackHole = createServer(s => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    await new Promise<void>(resolve => blackHole.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise(resolve => blackHole.close(resolve));
  });

  for (const kind of ['producer', 'consumer'] as const) {
    it(`${kind}: refused port 127.0.0.1:1 → rejects naming ROCKETMQ_ENDPOINTS, process exits by itself`, async () => {
      const { code, report } = await runChild(kind, '127.0.0.1:1', 5_000, 20_000);
      assert.equal(code, 0);
      assert.equal(report.ok, false);
      assert.equal(report.typed, true);
      assert.match(report.message ?? '', /^startup: RocketMQ (producer|consumer GID_it_normal) not reachable at ROCKETMQ_ENDPOINTS=127\.0\.0\.1:1: .*ECONNREFUSED/);
      assert.ok(report.ms <= 5_000 + 1_000, `rejected after ${report.ms} ms`);
    });
  }

  it('silent endpoint: our timeout fires while the client still retries; the process still exits by itself', async () => {
    const { port } = blackHole.address() as { port: number };
    const { code, report } = await runChild('producer', `127.0.0.1:${port}`, 2_000, 40_000);
    assert.equal(code, 0);
    assert.equal(report.ok, false);
    assert.equal(report.typed, true);
    assert.match(report.message ?? '', new RegExp(`ROCKETMQ_ENDPOINTS=127\\.0\\.0\\.1:${port}: no settings from the proxy within 2000 ms`));
    assert.ok(report.ms <= 2_000 + 1_000, `rejected after ${report.ms} ms`);
  });
});
