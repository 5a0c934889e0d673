// Starts tracing before anything requires @grpc/grpc-js, ioredis or mysql2 (their instrumentations patch
// them on load). main.ts imports this first; `node --require ./dist/src/instrumentation.js …` works too.
// Tracing is off unless OTEL_TRACES_EXPORTER or an OTLP endpoint is set (platform/telemetry/settings.ts).
import { loadConfig } from './platform/config';
import { startProcessTelemetry } from './platform/telemetry/process';
import { tracingSettings } from './platform/telemetry/settings';

try {
  startProcessTelemetry(tracingSettings(loadConfig(), process.argv.slice(2)));
} catch {
  // Invalid config: main reports it in one line and exits; nothing to trace.
}
