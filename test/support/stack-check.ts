// TCP reachability of the local stack, so integration tests fail up front with one clear line.
import { connect } from 'node:net';
import type { Config } from '../../src/platform/config';

interface Target {
  readonly what: string;
  readonly host: string;
  readonly port: number;
}

function hostPort(value: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(value.includes('://') ? value : `tcp://${value}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : defaultPort };
}

export function stackTargets(config: Config): Target[] {
  const redis =
    config.redis.clusterNodes.length > 0
      ? (config.redis.clusterNodes[0] as { host: string; port: number })
      : hostPort(config.redis.url, 6379);
  return [
    { what: 'Redis', ...redis },
    { what: 'MariaDB', ...hostPort(config.mysql.url, 3306) },
    { what: 'RocketMQ proxy', ...hostPort(config.rocketmq.endpoints.split(';')[0] as string, 8081) },
  ];
}

/** Resolves to undefined when the port accepts a connection, else to a short reason. */
export function probe(host: string, port: number, timeoutMs = 2000): Promise<string | undefined> {
  return new Promise(resolve => {
    const socket = connect({ host, port });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`did not answer within ${timeoutMs} ms`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED' ? 'refused' : err.code ?? err.message));
  });
}

/** Throws one line naming every unreachable component, e.g. "stack not running: Redis at 127.0.0.1:6390 refused — run 'make stack-up'". */
export async function assertStackRunning(config: Config): Promise<void> {
  const targets = stackTargets(config);
  const results = await Promise.all(targets.map(t => probe(t.host, t.port)));
  const down = targets.flatMap((t, i) => (results[i] ? [`${t.what} at ${t.host}:${t.port} ${results[i]}`] : []));
  if (down.length > 0) throw new Error(`stack not running: ${down.join('; ')} — run 'make stack-up'`);
}
