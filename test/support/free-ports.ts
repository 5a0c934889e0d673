// Free loopback ports for tests that spawn services, and the env that points every service (its
// <X>_PORT) and every client (<X>_SERVICE_ADDR) at them.
import { createServer } from 'node:net';
import { configSchema } from '../../src/platform/config-schema';

/** A port nothing listens on right now (bound, read, released). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>(resolve => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>(resolve => srv.close(() => resolve()));
  return port;
}

/**
 * Gives every gRPC service port of the schema (`ports` section) a free port in `env`, and points the
 * matching `*_SERVICE_ADDR` at it. Returns the ports by service key.
 */
export async function assignServicePorts(env: Record<string, string>): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const [key, entry] of Object.entries(configSchema.ports)) {
    ports[key] = await freePort();
    env[entry.env] = String(ports[key]);
  }
  for (const [key, entry] of Object.entries(configSchema.addr)) {
    if (ports[key] !== undefined) env[entry.env] = `127.0.0.1:${ports[key]}`;
  }
  return ports;
}
