// The process's one telemetry instance: started by instrumentation.ts, shut down last by main.
import { startTelemetry, type Telemetry } from './sdk';
import type { TracingSettings } from './settings';

let current: Telemetry | undefined;

/** Starts tracing when the settings enable it; later calls return the first instance. */
export function startProcessTelemetry(settings: TracingSettings): Telemetry | undefined {
  if (!settings.enabled) return current;
  current ??= startTelemetry({ serviceName: settings.serviceName });
  return current;
}

/** The running instance, if tracing is on in this process. */
export function processTelemetry(): Telemetry | undefined {
  return current;
}
