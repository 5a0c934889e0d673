// Starts the OpenTelemetry Node SDK (traces only: metrics are prom-client, metrics/). Must run before
// @grpc/grpc-js, ioredis and mysql2 are first required, so instrumentation.ts does it before main loads.
//
// The exporter comes from the standard env (OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_ENDPOINT,
// OTEL_EXPORTER_OTLP_PROTOCOL…) unless `spanProcessors` is given (tests: an in-memory exporter).
// Metric and log pipelines are switched off explicitly: the SDK would otherwise default both to OTLP.
import { context, propagation, trace, type ProxyTracerProvider } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createInstrumentations } from './instrumentations';

export interface Telemetry {
  /** Exports the spans that ended so far. */
  flush(): Promise<void>;
  /** Flushes, then unregisters the SDK and the instrumentations. Idempotent. */
  shutdown(): Promise<void>;
}

export interface StartTelemetryOptions {
  readonly serviceName: string;
  /** Replaces the env-configured exporter. */
  readonly spanProcessors?: SpanProcessor[];
  /** Patch gRPC, ioredis and mysql2 (default true). */
  readonly instrument?: boolean;
  /** Add host/process/env resource attributes (default true). Their detection is asynchronous and holds
   *  span export until done, so tests that read spans at once turn it off. */
  readonly detectResources?: boolean;
}

interface Flushable {
  forceFlush?(): Promise<void>;
}

export function startTelemetry(opts: StartTelemetryOptions): Telemetry {
  // Loaded here, not at the top: the SDK and its exporters take about a second to require, and a
  // process with tracing off never needs them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const instrumentations: Instrumentation[] = opts.instrument === false ? [] : createInstrumentations();
  const sdk = new NodeSDK({
    serviceName: opts.serviceName,
    autoDetectResources: opts.detectResources !== false,
    instrumentations,
    metricReaders: [],
    logRecordProcessors: [],
    ...(opts.spanProcessors ? { spanProcessors: opts.spanProcessors } : {}),
  });
  sdk.start();

  const flush = async (): Promise<void> => {
    const provider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as Flushable;
    await provider.forceFlush?.();
  };
  let stopping: Promise<void> | undefined;
  return {
    flush,
    shutdown() {
      stopping ??= (async () => {
        await flush().catch(() => undefined);
        await sdk.shutdown();
        for (const i of instrumentations) i.disable();
        trace.disable();
        propagation.disable();
        context.disable();
      })();
      return stopping;
    },
  };
}
