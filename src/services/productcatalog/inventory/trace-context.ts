// W3C trace context of the incoming call, carried on the stream records so the trace continues
// across the asynchronous hops (stream → RocketMQ → order service).
import type { Metadata } from '@grpc/grpc-js';

const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;
const MAX_LENGTH = 512;

export function traceContextOf(metadata: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const value = metadata.get(name)[0];
    if (typeof value === 'string' && value !== '' && value.length <= MAX_LENGTH) out[name] = value;
  }
  return out;
}
