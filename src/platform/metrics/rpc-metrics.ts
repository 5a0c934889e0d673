// RED metrics of every RPC served through grpc-server.ts, with the names and labels of
// go-grpc-prometheus (grpc_server_started_total, grpc_server_handled_total, grpc_server_handling_seconds)
// so stock dashboards and alerts work unchanged.
import { performance } from 'node:perf_hooks';
import { status } from '@grpc/grpc-js';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from './registry';

export type RpcType = 'unary' | 'server_stream';

const started = new Counter({
  name: 'grpc_server_started_total',
  help: 'RPCs started on the server',
  labelNames: ['grpc_service', 'grpc_method', 'grpc_type'],
  registers: [metricsRegistry],
});

const handled = new Counter({
  name: 'grpc_server_handled_total',
  help: 'RPCs completed on the server, by status code',
  labelNames: ['grpc_service', 'grpc_method', 'grpc_type', 'grpc_code'],
  registers: [metricsRegistry],
});

const seconds = new Histogram({
  name: 'grpc_server_handling_seconds',
  help: 'Time from the start of an RPC to its status (server-side), in seconds',
  labelNames: ['grpc_service', 'grpc_method', 'grpc_type'],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/** "/pkg.Service/Method" → labels. */
export function rpcLabels(path: string, type: RpcType): { grpc_service: string; grpc_method: string; grpc_type: RpcType } {
  const m = /^\/([^/]+)\/([^/]+)$/.exec(path);
  return { grpc_service: m?.[1] ?? 'unknown', grpc_method: m?.[2] ?? path, grpc_type: type };
}

/** Status code → its name (OK, NOT_FOUND…); numbers outside the enum stay numbers. */
export function codeName(code: number): string {
  return (status as unknown as Record<number, string | undefined>)[code] ?? String(code);
}

export interface RpcObservation {
  /** Records the final status once (later calls are ignored). */
  done(code: number): void;
}

export function observeRpc(path: string, type: RpcType): RpcObservation {
  const labels = rpcLabels(path, type);
  const t0 = performance.now();
  started.inc(labels);
  let finished = false;
  return {
    done(code) {
      if (finished) return;
      finished = true;
      handled.inc({ ...labels, grpc_code: codeName(code) });
      seconds.observe(labels, (performance.now() - t0) / 1000);
    },
  };
}
