// Tests: tracing into memory. Start it before @grpc/grpc-js, ioredis and mysql2 are required (first import
// of a child process), or pass `instrument: false` for hand-made spans only.
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from './sdk';

export interface InMemoryTracing {
  readonly exporter: InMemorySpanExporter;
  /** Every span that has ended so far. */
  spans(): ReadableSpan[];
  /** Waits for exports in progress. */
  flush(): Promise<void>;
  reset(): void;
  shutdown(): Promise<void>;
}

export function startInMemoryTracing(opts: { serviceName?: string; instrument?: boolean } = {}): InMemoryTracing {
  const exporter = new InMemorySpanExporter();
  const telemetry = startTelemetry({
    serviceName: opts.serviceName ?? 'test',
    detectResources: false,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(opts.instrument !== undefined ? { instrument: opts.instrument } : {}),
  });
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    flush: () => telemetry.flush(),
    reset: () => exporter.reset(),
    shutdown: () => telemetry.shutdown(),
  };
}
