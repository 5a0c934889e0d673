// A TCP proxy the test controls, to take one dependency "down" (connections cut and refused) and
// bring it back on the same address, without touching the shared stack or the real server.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** "127.0.0.1:<port>" for clients. */
  readonly address: string;
  /** Cuts every open connection and refuses new ones. */
  down(): Promise<void>;
  /** Accepts and forwards again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  function track(s: Socket): void {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  }

  async function listen(): Promise<void> {
    const srv = createServer(client => {
      const upstream = connect({ host: targetHost, port: targetPort });
      track(client);
      track(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    port = (srv.address() as { port: number }).port;
    server = srv;
  }

  async function down(): Promise<void> {
    const srv = server;
    server = undefined;
    for (const s of sockets) s.destroy();
    if (srv) await new Promise<void>(resolve => srv.close(() => resolve()));
  }

  await listen();
  return {
    address: `127.0.0.1:${port}`,
    down,
    async up() {
      if (!server) await listen();
    },
    close: down,
  };
}
