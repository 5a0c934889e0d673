// Each batch a stream worker handles is one root span (`<group> batch`, CONSUMER) linked to the
// requests whose records it carries: the Reserve calls, via the entries' `trace` field. Its Redis and
// MySQL calls are its children (ioredis spans need a parent; an idle XREADGROUP loop makes none).
import { SpanKind } from '@opentelemetry/api';
import { linksFromCarriers, type TraceFields } from '../../../platform/telemetry/propagation';
import { inRootSpan } from '../../../platform/telemetry/spans';
import { decodeTrace } from '../stock/line-codec';
import type { StreamEntry } from './stream-entries';

const TRACE_FIELD = 'trace';

/** The entry's recorded W3C fields; {} when absent or unreadable (a poison entry still gets handled). */
export function entryTrace(entry: StreamEntry): TraceFields {
  for (let i = 0; i + 1 < entry.fields.length; i += 2) {
    if (entry.fields[i] !== TRACE_FIELD) continue;
    try {
      return decodeTrace(entry.fields[i + 1] ?? '');
    } catch {
      return {};
    }
  }
  return {};
}

export function inBatchSpan<T>(group: string, stream: string, entries: readonly StreamEntry[], fn: () => Promise<T>): Promise<T> {
  return inRootSpan(
    `${group} batch`,
    {
      kind: SpanKind.CONSUMER,
      links: linksFromCarriers(entries.map(entryTrace)),
      attributes: { 'messaging.system': 'redis_streams', 'messaging.destination.name': stream, 'messaging.consumer.group.name': group, 'messaging.batch.message_count': entries.length },
    },
    () => fn(),
  );
}
