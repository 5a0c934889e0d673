// Starts a real gRPC server on 127.0.0.1:<free port> with the platform helper.
import { createGrpcServer, type GrpcServer, type GrpcServerOptions } from '../../src/platform/grpc-server';
import { testConfig } from './test-config';
import { testLogger } from './test-logger';

export interface TestServer {
  readonly server: GrpcServer;
  readonly port: number;
  /** "127.0.0.1:<port>" for clients. */
  readonly address: string;
  stop(): Promise<void>;
}

export async function startTestServer(
  register: (server: GrpcServer) => void,
  options: Partial<GrpcServerOptions> = {},
): Promise<TestServer> {
  const server = createGrpcServer({
    logger: testLogger('grpc'),
    config: testConfig({ SHUTDOWN_GRACE_MS: '5000' }),
    ...options,
  });
  register(server);
  const port = await server.listen(0, '127.0.0.1');
  return { server, port, address: `127.0.0.1:${port}`, stop: () => server.stop() };
}
