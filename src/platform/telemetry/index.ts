// Tracing: SDK start-up (instrumentation.ts), trace context by hand across streams and RocketMQ,
// span helpers for background loops, and the pino mixin adding trace ids to log lines.
export { startTelemetry, type Telemetry, type StartTelemetryOptions } from './sdk';
export { tracingSettings, type TracingSettings } from './settings';
export { processTelemetry, startProcessTelemetry } from './process';
export {
  extractTraceContext,
  injectIntoMap,
  injectTraceFields,
  linkFrom,
  linksFromCarriers,
  linksFromMessages,
  mapGetter,
  mapSetter,
  type TraceCarrier,
  type TraceFields,
} from './propagation';
export { inRootSpan, inSpan, tracer, TRACER_NAME } from './spans';
export { inProducerSpan, mqTraceHooks, type ProducerSpanInfo } from './messaging';
export { traceLogFields } from './log-fields';
