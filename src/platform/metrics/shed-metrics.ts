// Calls refused by the load shedder before any work, by method and reason (in_flight, streams,
// event_loop). A rising rate is the signal to scale out; refused calls also appear in
// grpc_server_handled_total with their status code.
import { Counter } from 'prom-client';
import { metricsRegistry } from './registry';
import { rpcLabels } from './rpc-metrics';

const shed = new Counter({
  name: 'shop_grpc_shed_total',
  help: 'RPCs refused by load shedding before any work, by reason',
  labelNames: ['grpc_service', 'grpc_method', 'reason'],
  registers: [metricsRegistry],
});

export function recordShed(path: string, reason: string): void {
  const { grpc_service, grpc_method } = rpcLabels(path, 'unary');
  shed.inc({ grpc_service, grpc_method, reason });
}
