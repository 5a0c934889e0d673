// Prometheus metrics: the process registry and its /metrics endpoint, RPC RED metrics (used by
// grpc-handlers.ts), RocketMQ client metrics (the MQ adapter's default hook), breaker state, and the
// shop's business metrics (app-metrics.ts).
export { metricsRegistry, collectProcessMetrics } from './registry';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './server';
export { sampledGauge, type SampledGauge, type Sample, type LabelSet } from './sampled-gauge';
export { observeRpc, rpcLabels, codeName, type RpcObservation, type RpcType } from './rpc-metrics';
export { recordShed } from './shed-metrics';
export { createMqMetricsHook, mqMetricsHook } from './mq-metrics';
export { registerProcessBreakerMetrics } from './breaker-metrics';
export * as appMetrics from './app-metrics';
