// RocketMQ tracing (OTel messaging conventions): a PRODUCER span per send whose context travels in the
// message properties, and one CONSUMER span per received batch, a new trace linked to every message's
// producer span (a batch mixes many traces, so it cannot be a child of one). The MQ adapter uses
// `mqTraceHooks` unless a caller passes its own.
import { context, SpanKind, type Span } from '@opentelemetry/api';
import type { MqMessage, MqTraceHooks } from '../mq/types';
import { extractTraceContext, injectIntoMap, linksFromMessages, type TraceCarrier } from './propagation';
import { inRootSpan, inSpan } from './spans';

const SYSTEM = 'rocketmq';

export const mqTraceHooks: MqTraceHooks = {
  inject(properties: Map<string, string>): void {
    injectIntoMap(properties);
  },
  aroundBatch<T>(topic: string, batch: readonly MqMessage[], run: () => Promise<T>): Promise<T> {
    return inRootSpan(
      `process ${topic}`,
      {
        kind: SpanKind.CONSUMER,
        links: linksFromMessages(batch),
        attributes: {
          'messaging.system': SYSTEM,
          'messaging.operation.type': 'process',
          'messaging.destination.name': topic,
          'messaging.batch.message_count': batch.length,
        },
      },
      () => run(),
    );
  },
};

export interface ProducerSpanInfo {
  readonly topic: string;
  /** W3C fields recorded with the work being sent (a stream entry's trace field); the span continues that trace. */
  readonly parent?: TraceCarrier;
  /** The business key (order id). */
  readonly key?: string;
}

const messageIdOf = (result: unknown): string | undefined =>
  typeof result === 'object' && result !== null && typeof (result as { messageId?: unknown }).messageId === 'string'
    ? (result as { messageId: string }).messageId
    : undefined;

/**
 * Runs a send inside `send <topic>` (PRODUCER). Its parent is the context in `info.parent` when that holds
 * one, else the active context; while `send` runs the span is active, so the adapter's inject hook writes
 * the span's own context into the message properties.
 */
export function inProducerSpan<T>(info: ProducerSpanInfo, send: (span: Span) => Promise<T>): Promise<T> {
  const parent = info.parent ? extractTraceContext(info.parent, context.active()) : context.active();
  return inSpan(
    `send ${info.topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': SYSTEM,
        'messaging.operation.type': 'send',
        'messaging.destination.name': info.topic,
        ...(info.key !== undefined ? { 'messaging.message.key': info.key } : {}),
      },
    },
    async span => {
      const result = await send(span);
      const id = messageIdOf(result);
      if (id) span.setAttribute('messaging.message.id', id);
      return result;
    },
    parent,
  );
}
