// Starts one service's gRPC server on its port with health and reflection, and registers its drain
// with the process shutdown (first phase: stop accepting, finish in-flight calls).
import { createGrpcServer, type AsyncServiceImpl, type GrpcServer, type ServiceDefs } from '../platform/grpc-server';
import type { Runtime } from './runtime';

export interface ServedService {
  readonly name: string;
  readonly port: number;
  readonly server: GrpcServer;
}

export type Registration = (server: GrpcServer) => void;

/** Pairs a ts-proto service definition with its async handlers, keeping their types linked. */
export function service<D extends ServiceDefs>(definition: D, impl: AsyncServiceImpl<D>): Registration {
  return server => server.add(definition, impl);
}

export async function serveGrpc(
  rt: Runtime,
  name: string,
  port: number,
  registrations: readonly Registration[],
): Promise<ServedService> {
  const logger = rt.logger.child({ service: name });
  const server = createGrpcServer({ logger, config: rt.config, reflection: rt.protos, clock: rt.clock });
  for (const register of registrations) register(server);
  rt.shutdown.register(`grpc:${name}`, 'stop-accepting', () => server.stop());
  const bound = await server.listen(port);
  return { name, port: bound, server };
}
