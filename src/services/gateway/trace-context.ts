// A trace id on every response, and the same trace carried into the gRPC calls of the request.
// An incoming W3C `traceparent` is continued (same trace id, new span id); otherwise a new trace
// starts. With the OpenTelemetry SDK running (OTEL_* set), the ids are those of a real SERVER span and
// the grpc-js instrumentation injects its client spans from the active context; with tracing off,
// the ids are minted here so clients and logs can still correlate, and `traceparent` is passed on by
// hand as gRPC metadata.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  isSpanContextValid,
  trace,
  type Context,
  type Span,
  type SpanContext,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

export const TRACE_ID_HEADER = 'x-trace-id';
export const TRACEPARENT_HEADER = 'traceparent';

// Used directly (not the global propagator): the header must work even when the SDK is not installed.
const w3c = new W3CTraceContextPropagator();
const headerGetter = {
  get: (h: IncomingHttpHeaders, key: string) => h[key],
  keys: (h: IncomingHttpHeaders) => Object.keys(h),
};

export interface RequestTrace {
  readonly traceId: string;
  /** Our span as a W3C header value: the response header, and the gRPC metadata of the request's calls. */
  readonly traceparent: string;
  /** Incoming tracestate, passed on unchanged. */
  readonly tracestate: string | undefined;
  /** Active context for the request's gRPC calls (the span's children join this trace). */
  readonly context: Context;
  end(httpStatus: number): void;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

export function startRequestTrace(headers: IncomingHttpHeaders, spanName: string): RequestTrace {
  const parent = w3c.extract(ROOT_CONTEXT, headers, headerGetter);
  const span: Span = trace.getTracer('boutique-seckill/gateway').startSpan(spanName, { kind: SpanKind.SERVER }, parent);
  let sc: SpanContext = span.spanContext();
  let ctx = trace.setSpan(parent, span);
  if (!span.isRecording() || !isSpanContextValid(sc)) {
    // No SDK (the no-op tracer hands back the caller's own span context): ids of our own, continuing
    // the caller's trace id when given.
    const incoming = trace.getSpanContext(parent);
    const known = incoming !== undefined && isSpanContextValid(incoming);
    sc = { traceId: known ? incoming.traceId : hex(16), spanId: hex(8), traceFlags: known ? incoming.traceFlags : TraceFlags.NONE };
    ctx = trace.setSpanContext(parent, sc);
  }
  const flags = (sc.traceFlags & 0xff).toString(16).padStart(2, '0');
  const tracestate = headers.tracestate;
  return {
    traceId: sc.traceId,
    traceparent: `00-${sc.traceId}-${sc.spanId}-${flags}`,
    tracestate: typeof tracestate === 'string' && tracestate !== '' ? tracestate : undefined,
    context: ctx,
    end(httpStatus) {
      span.setAttribute('http.response.status_code', httpStatus);
      if (httpStatus >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    },
  };
}
