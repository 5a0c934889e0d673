// Span helpers. A span records a thrown error as an exception with ERROR status and always ends.
// Background loops (stream workers, consumers, periodic passes) open a ROOT span per unit of work, so
// their Redis and MySQL calls are traced (ioredis instrumentation needs a parent) and each batch is its
// own trace, linked to the requests it carries.
import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Context, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';

export const TRACER_NAME = 'boutique-seckill';

export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Runs fn in a new span, child of `parent` (default: the active context). */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>, parent: Context = context.active()): Promise<T> {
  return tracer().startActiveSpan(name, options, parent, async span => {
    try {
      return await fn(span);
    } catch (err) {
      if (err instanceof Error) span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Runs fn in a new root span (a new trace), whatever is active. */
export function inRootSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  return inSpan(name, { ...options, root: true }, fn, ROOT_CONTEXT);
}
