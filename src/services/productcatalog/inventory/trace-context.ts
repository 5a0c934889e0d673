// W3C trace context of the incoming call, carried on the stream records so the trace continues
// across the asynchronous hops (stream → RocketMQ → order service).
// With tracing on, it is the context of the span running here (the Reserve server span), so the
// forwarder's send span hangs under Reserve; with tracing off, the caller's headers pass through.
import type { Metadata } from '@grpc/grpc-js';
import { injectTraceFields } from '../../../platform/telemetry/propagation';

const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;
const MAX_LENGTH = 512;

export function traceContextOf(metadata: Metadata): Record<string, string> {
  const active = injectTraceFields();
  const out: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const value = active.traceparent ? active[name] : metadata.get(name)[0];
    if (typeof value === 'string' && value !== '' && value.length <= MAX_LENGTH) out[name] = value;
  }
  return out;
}
