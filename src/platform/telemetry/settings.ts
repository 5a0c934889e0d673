// Whether this process traces, decided once from the standard OTEL_* keys (config-schema `telemetry`).
// Off unless an exporter or an endpoint is named: the SDK's own default (otlp to localhost) would
// otherwise log export failures forever on a laptop without a collector.
import type { Config } from '../config';

export interface TracingSettings {
  readonly enabled: boolean;
  /** service.name of every span this process makes. */
  readonly serviceName: string;
}

export const DEFAULT_SERVICE_NAME = 'boutique-seckill';

export function tracingSettings(config: Pick<Config, 'telemetry'>, services: readonly string[] = []): TracingSettings {
  const t = config.telemetry;
  const exporter = t.tracesExporter.trim().toLowerCase();
  const endpoint = t.otlpTracesEndpoint.trim() || t.otlpEndpoint.trim();
  const enabled = exporter === 'none' ? false : exporter !== '' || endpoint !== '';
  const named = services.filter(s => /^[a-z][a-z0-9-]*$/.test(s));
  const serviceName = t.serviceName.trim() || (named.length > 0 ? named.join('+') : DEFAULT_SERVICE_NAME);
  return { enabled, serviceName };
}
