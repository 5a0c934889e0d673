// One trace from a PlaceOrder across checkout, productcatalog's Reserve, Redis, the forwarder, RocketMQ
// and the creation consumer, recorded by an in-memory exporter in a child process
// (telemetry/trace-child.ts: the checkout harness on real Redis, MariaDB and RocketMQ; the
// instrumentations load first, as src/instrumentation.ts makes them for main). How the spans relate:
//
//   trace T (the request):
//     grpc.hipstershop.CheckoutService/PlaceOrder           CLIENT   root (the test's call)
//       └ grpc.hipstershop.CheckoutService/PlaceOrder       SERVER   (checkout)
//           └ grpc.shop.v1.InventoryService/Reserve         CLIENT   (checkout → productcatalog)
//               └ grpc.shop.v1.InventoryService/Reserve     SERVER   (productcatalog)
//                   ├ evalsha                               CLIENT   (ioredis: the Reserve Lua script)
//                   └ send it-telemetry-orders              PRODUCER (forwarder; parent = the context the
//                       │                                             Reserve stored in the stream entry)
//                       └ grpc.apache.rocketmq.v2.MessagingService/SendMessage  CLIENT
//   trace F (the forwarder's batch): "order-forwarder batch" CONSUMER root, linked to the Reserve server span
//   trace B (the consumer's batch):  "process it-telemetry-orders" CONSUMER root (a batch mixes many
//       requests, so it is not a child of one: the OTel batch rule), linked to the PRODUCER span of every
//       message in it
//         └ the mysql2 INSERT INTO `orders` … (inside the batch's transaction)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { useTestDatabase } from '../support/test-database';
import { PLACE_ORDER_SPAN, type SpanRecord, type TraceChildReport, type TraceChildSpec } from './telemetry/trace-spec';

/** Declared in scripts/rocketmq/topics.txt; the consumer group is fresh per run. */
const TOPIC = 'it-telemetry-orders';

function runChild(spec: TraceChildSpec): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', require.resolve('./telemetry/trace-child.ts')], {
    env: { ...process.env, TRACE_CHILD_SPEC: JSON.stringify(spec) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8000)));
  return new Promise((resolve, reject) => {
    child.once('exit', code => (code === 0 ? resolve() : reject(new Error(`trace child exited ${code}: ${stderr}`))));
  });
}

describe('telemetry: one trace for a PlaceOrder across checkout, Reserve, Redis, the forwarder, RocketMQ and the creation consumer', function () {
  this.timeout(180_000);
  const tdb = useTestDatabase();
  let report: TraceChildReport;
  const byId = new Map<string, SpanRecord>();
  const one = (what: string, match: (s: SpanRecord) => boolean): SpanRecord => {
    const found = report.spans.filter(match);
    assert.equal(found.length, 1, `${what}: ${found.length} spans among ${report.spans.map(s => s.name).join(', ')}`);
    return found[0]!;
  };
  /** True when `span` is `ancestor` or below it. */
  const under = (span: SpanRecord, ancestor: SpanRecord): boolean => {
    for (let s: SpanRecord | undefined = span; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined) if (s.spanId === ancestor.spanId) return true;
    return false;
  };

  before(async function () {
    const dir = mkdtempSync(join(tmpdir(), 'trace-'));
    try {
      const outFile = join(dir, 'spans.json');
      await runChild({ mysqlUrl: tdb.current.config.mysql.url, topic: TOPIC, outFile });
      report = JSON.parse(readFileSync(outFile, 'utf8')) as TraceChildReport;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const s of report.spans) byId.set(s.spanId, s);
  });

  const placeOrder = () => one('PlaceOrder server span', s => s.kind === SpanKind.SERVER && s.name === PLACE_ORDER_SPAN);
  const reserveServer = () =>
    one('Reserve server span', s => s.kind === SpanKind.SERVER && s.name === 'grpc.shop.v1.InventoryService/Reserve' && s.traceId === placeOrder().traceId);
  const send = () => one('forwarder send span', s => s.kind === SpanKind.PRODUCER && s.name === `send ${TOPIC}` && s.attributes['messaging.message.key'] === report.orderId);
  const batch = () => one('consumer batch span', s => s.kind === SpanKind.CONSUMER && s.name === `process ${TOPIC}` && s.links.some(l => l.spanId === send().spanId));

  it('the checkout PlaceOrder server span starts the trace (child of the test client span only)', () => {
    const server = placeOrder();
    if (server.parentSpanId !== undefined) {
      const client = byId.get(server.parentSpanId);
      assert.equal(client?.kind, SpanKind.CLIENT, 'its parent is the test gRPC client span');
      assert.equal(client?.name, PLACE_ORDER_SPAN);
      assert.equal(client?.parentSpanId, undefined, 'the client span is the root');
      assert.equal(client?.traceId, server.traceId);
    }
  });

  it('the Reserve client and server spans are descendants of PlaceOrder in the same trace', () => {
    const server = reserveServer();
    assert.equal(server.parentSpanId === undefined, false);
    const client = byId.get(server.parentSpanId!);
    assert.equal(client?.kind, SpanKind.CLIENT, 'its parent is the gRPC client span');
    assert.equal(client?.name, 'grpc.shop.v1.InventoryService/Reserve');
    for (const s of [client!, server]) {
      assert.equal(s.traceId, placeOrder().traceId, `${s.name} in the PlaceOrder trace`);
      assert.ok(under(s, placeOrder()), `${s.name} below the PlaceOrder server span`);
    }
  });

  it('the Reserve Lua script shows as a Redis EVALSHA child of the Reserve server span', () => {
    const server = reserveServer();
    const redis = report.spans.filter(s => s.parentSpanId === server.spanId && s.scope.includes('ioredis'));
    assert.ok(redis.some(s => /^evalsha$/i.test(s.name)), `Redis children: ${redis.map(s => s.name).join(', ')}`);
    assert.ok(redis.every(s => s.traceId === placeOrder().traceId));
  });

  it("the forwarder's send (PRODUCER) span continues the same trace, under the Reserve server span", () => {
    const s = send();
    assert.equal(s.traceId, placeOrder().traceId, 'same trace id as the request');
    assert.equal(s.parentSpanId, reserveServer().spanId, 'parent = the context Reserve stored in the stream entry');
    assert.equal(s.attributes['messaging.destination.name'], TOPIC);
    assert.equal(typeof s.attributes['messaging.message.id'], 'string');
    const sendMessage = report.spans.filter(c => c.parentSpanId === s.spanId && c.kind === SpanKind.CLIENT);
    assert.ok(sendMessage.some(c => c.name.endsWith('/SendMessage')), `children: ${sendMessage.map(c => c.name).join(', ')}`);
  });

  it("the forwarder's own batch span is a root linked to the Reserve", () => {
    const forwarderBatch = one('forwarder batch span', s => s.name === 'order-forwarder batch' && s.links.some(l => l.spanId === reserveServer().spanId));
    assert.equal(forwarderBatch.parentSpanId, undefined);
    assert.equal(forwarderBatch.kind, SpanKind.CONSUMER);
  });

  it("the consumer's batch span is a CONSUMER root linked to the send span", () => {
    const b = batch();
    assert.equal(b.parentSpanId, undefined, 'a root: one batch carries many traces');
    assert.notEqual(b.traceId, placeOrder().traceId);
    assert.ok(b.links.some(l => l.traceId === placeOrder().traceId && l.spanId === send().spanId), 'link to the producer span');
    assert.ok(Number(b.attributes['messaging.batch.message_count']) >= 1);
  });

  it('the MySQL insert of the order row runs under the batch span', () => {
    const b = batch();
    const inserts = report.spans.filter(s => s.scope.includes('mysql2') && /insert\s+into\s+`?orders`?\s/i.test(String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? '')));
    assert.ok(inserts.length >= 1, `mysql2 spans: ${report.spans.filter(s => s.scope.includes('mysql2')).map(s => s.name).join(', ')}`);
    const mine = inserts.filter(s => s.traceId === b.traceId);
    assert.ok(mine.length >= 1, 'an insert in the batch trace');
    assert.ok(mine.every(s => under(s, b)), 'below the batch span');
    assert.ok(!String(mine[0]!.attributes['db.query.text'] ?? '').includes(report.orderId), 'statement text is masked (no values)');
  });
});
