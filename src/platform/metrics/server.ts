// The Prometheus endpoint of a process: GET /metrics on METRICS_PORT (0 = no endpoint). Started by main
// before the services, closed in the last shutdown phase so the final scrape sees the drain.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';
import { metricsRegistry } from './registry';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export interface MetricsServerOptions {
  readonly port: number;
  readonly host: string;
  readonly logger: Logger;
  readonly registry?: Registry;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const registry = opts.registry ?? metricsRegistry;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; try /metrics\n');
      return;
    }
    registry.metrics().then(
      body => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (err: unknown) => {
        opts.logger.warn({ err }, 'metrics collection failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics collection failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  opts.logger.info({ host: opts.host, port }, 'metrics endpoint listening on /metrics');
  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
