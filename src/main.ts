// Entry point: `node dist/src/main.js <service...|all>` starts the named services in one process.
// Start-up problems (bad config, unreachable Redis/MySQL/RocketMQ) print one line and exit non-zero.
// First: tracing must patch @grpc/grpc-js, ioredis and mysql2 before anything below requires them.
import './instrumentation';
import { loadConfig, ConfigError, type Config } from './platform/config';
import { useClientTls } from './platform/grpc-client';
import { createLogger, type Logger } from './platform/logger';
import { collectProcessMetrics, registerProcessBreakerMetrics, startMetricsServer } from './platform/metrics';
import { createShutdown, type Shutdown } from './platform/shutdown';
import { systemClock } from './platform/clock';
import { StartupError } from './platform/startup-error';
import { processTelemetry } from './platform/telemetry/process';
import { createRuntime } from './services/runtime';
import { selectServices, UsageError } from './services/registry';

/** /metrics on METRICS_PORT (0 = none), closed last; the span exporter is flushed at the very end. */
async function startObservability(config: Readonly<Config>, logger: Logger, shutdown: Shutdown): Promise<void> {
  const telemetry = processTelemetry();
  if (telemetry) shutdown.register('telemetry', 'close', () => telemetry.shutdown());
  if (config.metrics.port === 0) return;
  collectProcessMetrics();
  registerProcessBreakerMetrics();
  const server = await startMetricsServer({ port: config.metrics.port, host: config.grpc.host, logger }).catch((err: unknown) => {
    throw new StartupError('metrics endpoint', 'METRICS_PORT', String(config.metrics.port), err instanceof Error ? err.message : String(err));
  });
  shutdown.register('metrics', 'close', () => server.close());
}

async function main(argv: readonly string[]): Promise<void> {
  const config = loadConfig();
  const modules = selectServices(argv);
  useClientTls(config.grpcTls); // every gRPC client of this process: TLS when GRPC_TLS_CA_FILE is set
  const logger = createLogger(config, 'boutique-seckill');
  const shutdown = createShutdown({ logger, timeoutMs: config.lifecycle.shutdownGraceMs + 5_000 });
  shutdown.installSignalHandlers();
  const rt = createRuntime({ config, logger, clock: systemClock, shutdown });
  try {
    await startObservability(config, logger, shutdown);
    for (const m of modules) {
      const running = await m.start(rt);
      logger.info({ service: running.name, port: running.port }, 'service started');
    }
  } catch (err) {
    await shutdown.run('start-up failed');
    throw err;
  }
  logger.info({ services: modules.map(m => m.name) }, 'all requested services started');
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Known start-up errors are one line; anything else is a bug and keeps its stack for the operator.
  if (err instanceof ConfigError || err instanceof StartupError || err instanceof UsageError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
