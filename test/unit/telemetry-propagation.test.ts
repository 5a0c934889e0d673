// Trace context by hand: W3C fields into a stream-entry record and RocketMQ Map properties, back out,
// batch links, the PRODUCER/CONSUMER spans of the MQ hooks, and trace ids on log lines.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { MqMessage } from '../../src/platform/mq/types';
import { createLogger } from '../../src/platform/logger';
import {
  extractTraceContext,
  injectIntoMap,
  injectTraceFields,
  inProducerSpan,
  inRootSpan,
  linksFromMessages,
  mapGetter,
  mapSetter,
  mqTraceHooks,
  traceLogFields,
} from '../../src/platform/telemetry';
import { startInMemoryTracing, type InMemoryTracing } from '../../src/platform/telemetry/testing';
import { testConfig } from '../support/test-config';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

function message(id: string, properties: Map<string, string>): MqMessage {
  return {
    messageId: id, topic: 't', body: Buffer.alloc(0), keys: [id], tag: undefined, properties,
    deliveryAttempt: 1, bornAt: undefined, messageGroup: undefined, deliverAt: undefined,
  };
}

/** A finished span's own W3C fields (as a producer would have injected them). */
const fieldsOf = (span: Span): Map<string, string> => {
  const m = new Map<string, string>();
  injectIntoMap(m, trace.setSpan(extractTraceContext({}), span));
  return m;
};

describe('telemetry: tracing off (no SDK started)', () => {
  it('inject writes nothing, extract finds nothing, log lines get no ids', async () => {
    assert.deepEqual(injectTraceFields(), {});
    const props = new Map([['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01']]);
    injectIntoMap(props);
    assert.equal(props.get('traceparent'), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'a recorded context passes through');
    assert.deepEqual(linksFromMessages([message('a', props)]), []);
    assert.deepEqual(traceLogFields(), {});
    // the hooks still run the work
    assert.equal(await mqTraceHooks.aroundBatch!('t', [message('a', props)], async () => 42), 42);
  });
});

describe('telemetry: trace context helpers (in-memory SDK)', () => {
  let tracing: InMemoryTracing;
  before(() => {
    tracing = startInMemoryTracing({ instrument: false });
  });
  after(() => tracing.shutdown());
  beforeEach(() => tracing.reset());

  it('Map setter/getter work on a Map (the API default would write object properties)', () => {
    const m = new Map<string, string>();
    mapSetter.set(m, 'traceparent', 'x');
    assert.equal(m.get('traceparent'), 'x');
    assert.equal(Object.keys(m).length, 0);
    assert.equal(mapGetter.get(m, 'traceparent'), 'x');
    assert.deepEqual(mapGetter.keys(m), ['traceparent']);
  });

  it('injects the active span into a record and a Map, and extracts the same context back', async () => {
    assert.deepEqual(injectTraceFields(), {}, 'no active span: nothing');
    await inRootSpan('work', {}, async span => {
      const fields = injectTraceFields();
      const m = TRACEPARENT.exec(fields.traceparent ?? '');
      assert.ok(m, fields.traceparent);
      assert.equal(m[1], span.spanContext().traceId);
      assert.equal(m[2], span.spanContext().spanId);

      const props = new Map([['traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'], ['other', 'kept']]);
      injectIntoMap(props);
      assert.equal(props.get('traceparent'), fields.traceparent, 'the active context replaces a recorded one');
      assert.equal(props.get('other'), 'kept');

      for (const carrier of [fields, props]) {
        const sc = trace.getSpanContext(extractTraceContext(carrier));
        assert.equal(sc?.traceId, span.spanContext().traceId);
        assert.equal(sc?.spanId, span.spanContext().spanId);
        assert.equal(sc?.isRemote, true);
      }
    });
  });

  it('linksFromMessages: one link per distinct producer context; messages without one are skipped', async () => {
    const a = await inRootSpan('a', {}, async s => s);
    const b = await inRootSpan('b', {}, async s => s);
    const batch = [
      message('1', fieldsOf(a)),
      message('2', fieldsOf(b)),
      message('3', new Map()),
      message('4', new Map([['traceparent', 'garbage']])),
      message('5', fieldsOf(a)), // a redelivered duplicate
    ];
    const links = linksFromMessages(batch);
    assert.deepEqual(
      links.map(l => l.context.spanId).sort(),
      [a.spanContext().spanId, b.spanContext().spanId].sort(),
    );
  });

  it('inProducerSpan continues the recorded trace; the adapter inject then carries the send span', async () => {
    const request = await inRootSpan('reserve', {}, async s => s);
    let injected: Map<string, string> | undefined;
    const result = await inRootSpan('forwarder batch', {}, () =>
      inProducerSpan({ topic: 'order-created', parent: Object.fromEntries(fieldsOf(request)), key: 'o-1' }, async () => {
        injected = new Map(fieldsOf(request));
        mqTraceHooks.inject!(injected, 'order-created');
        return { messageId: 'm-1' };
      }),
    );
    assert.deepEqual(result, { messageId: 'm-1' });
    const send = tracing.spans().find(s => s.name === 'send order-created');
    assert.ok(send);
    assert.equal(send.kind, SpanKind.PRODUCER);
    assert.equal(send.spanContext().traceId, request.spanContext().traceId, 'same trace as the request');
    assert.equal(send.parentSpanContext?.spanId, request.spanContext().spanId, 'child of the recorded context, not of the batch');
    assert.equal(send.attributes['messaging.message.id'], 'm-1');
    assert.equal(send.attributes['messaging.message.key'], 'o-1');
    assert.equal(TRACEPARENT.exec(injected!.get('traceparent')!)?.[2], send.spanContext().spanId);
  });

  it('aroundBatch runs the handler in one CONSUMER root span linked to every message', async () => {
    const p1 = await inRootSpan('p1', {}, async s => s);
    const p2 = await inRootSpan('p2', {}, async s => s);
    let active: string | undefined;
    const out = await inRootSpan('unrelated outer', {}, () =>
      mqTraceHooks.aroundBatch!('order-created', [message('1', fieldsOf(p1)), message('2', fieldsOf(p2))], async () => {
        active = trace.getActiveSpan()?.spanContext().spanId;
        return 'done';
      }),
    );
    assert.equal(out, 'done');
    const batch = tracing.spans().find(s => s.name === 'process order-created');
    assert.ok(batch);
    assert.equal(batch.kind, SpanKind.CONSUMER);
    assert.equal(batch.parentSpanContext, undefined, 'a root span: a batch mixes traces');
    assert.equal(active, batch.spanContext().spanId, 'the handler runs inside it');
    assert.equal(batch.attributes['messaging.batch.message_count'], 2);
    assert.deepEqual(batch.links.map(l => l.context.spanId).sort(), [p1.spanContext().spanId, p2.spanContext().spanId].sort());
  });

  it('a throwing handler marks the batch span ERROR and rethrows', async () => {
    await assert.rejects(mqTraceHooks.aroundBatch!('t', [], async () => { throw new Error('boom'); }), /boom/);
    const span = tracing.spans().find(s => s.name === 'process t');
    assert.equal(span?.status.code, SpanStatusCode.ERROR);
    assert.equal(span?.events[0]?.name, 'exception');
  });

  it('log lines written inside a span carry trace_id and span_id', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk: Buffer, _enc, cb) { lines.push(chunk.toString()); cb(); } });
    const logger = createLogger(testConfig(), 't', { destination: sink, level: 'info' });
    logger.info('outside');
    const ids = await inRootSpan('logged', {}, async span => {
      logger.child({ component: 'c' }).info('inside');
      assert.deepEqual(traceLogFields(), { trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
      return span.spanContext();
    });
    const [outside, inside] = lines.map(l => JSON.parse(l) as Record<string, unknown>);
    assert.equal(outside?.trace_id, undefined);
    assert.equal(inside?.trace_id, ids.traceId);
    assert.equal(inside?.span_id, ids.spanId);
  });
});
