// Clients for the standard gRPC health and reflection services, built from their own .proto files
// with proto-loader (what grpc_health_probe / grpcurl speak), for tests and smoke checks.
import { credentials, loadPackageDefinition, type Client, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

type Status = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN';

interface HealthClient extends Client {
  check(req: { service: string }, cb: (err: ServiceError | null, res?: { status: Status }) => void): void;
  watch(req: { service: string }): ClientReadableStream<{ status: Status }>;
}

type Ctor<C> = new (address: string, creds: ReturnType<typeof credentials.createInsecure>) => C;

function nested(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root);
}

export function healthClient(address: string): HealthClient {
  const pkg = loadPackageDefinition(loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true }));
  const Health = nested(pkg, 'grpc.health.v1.Health') as Ctor<HealthClient>;
  return new Health(address, credentials.createInsecure());
}

/** Health Check for one service name; resolves to its status or rejects with the gRPC error. */
export function checkHealth(client: HealthClient, service: string): Promise<Status> {
  return new Promise((resolve, reject) => client.check({ service }, (err, res) => (err ? reject(err) : resolve(res?.status ?? 'UNKNOWN'))));
}

interface ReflectionClient extends Client {
  ServerReflectionInfo(): {
    write(msg: unknown): void;
    end(): void;
    on(ev: 'data', cb: (msg: { list_services_response?: { service: Array<{ name: string }> } }) => void): void;
    on(ev: 'error', cb: (err: Error) => void): void;
  };
}

/** The service names a server lists through gRPC reflection (v1). */
export function listServicesByReflection(address: string): Promise<string[]> {
  const file = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');
  const pkg = loadPackageDefinition(loadSync(file, { keepCase: true }));
  const Reflection = nested(pkg, 'grpc.reflection.v1.ServerReflection') as Ctor<ReflectionClient>;
  const client = new Reflection(address, credentials.createInsecure());
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo();
    call.on('data', msg => {
      resolve((msg.list_services_response?.service ?? []).map(s => s.name));
      call.end();
      client.close();
    });
    call.on('error', err => {
      client.close();
      reject(err);
    });
    call.write({ list_services: '*' });
  });
}
