// pino mixin: every log line written inside a span carries its ids, so logs and traces join up.
import { context, isSpanContextValid, trace } from '@opentelemetry/api';

export function traceLogFields(): Record<string, string> {
  const sc = trace.getSpanContext(context.active());
  return sc && isSpanContextValid(sc) ? { trace_id: sc.traceId, span_id: sc.spanId } : {};
}
