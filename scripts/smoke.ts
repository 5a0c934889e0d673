// `make smoke`: every service started by `make run` answers gRPC health SERVING on '', liveness and readiness.
// Usage: tsx scripts/smoke.ts [service...|all]   (exit 1 and one line per failure otherwise)
import { credentials, loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath } from 'grpc-health-check';
import { loadConfig } from '../src/platform/config';
import { selectServices } from '../src/services/registry';

type CheckFn = (req: { service: string }, opts: { deadline: number }, cb: (err: Error | null, res?: { status: string }) => void) => void;

const health = (loadPackageDefinition(loadSync(protoPath, { enums: String })) as unknown as { grpc: { health: { v1: GrpcObject } } })
  .grpc.health.v1.Health as ServiceClientConstructor;

function check(address: string, service: string): Promise<string> {
  const client = new health(address, credentials.createInsecure()) as unknown as { check: CheckFn; close(): void };
  return new Promise<string>(resolve =>
    client.check({ service }, { deadline: Date.now() + 3_000 }, (err, res) => {
      client.close();
      resolve(err ? `error: ${err.message}` : (res?.status ?? 'no answer'));
    }),
  );
}

async function main(): Promise<number> {
  const config = loadConfig();
  const modules = selectServices(process.argv.slice(2));
  let failures = 0;
  for (const m of modules) {
    if (m.kind === 'http') {
      const url = `http://127.0.0.1:${m.port(config)}/readyz`;
      const r = await fetch(url, { signal: AbortSignal.timeout(3_000) }).then(
        x => (x.ok ? 'SERVING' : `HTTP ${x.status}`),
        (e: Error) => `error: ${e.message}`,
      );
      if (r !== 'SERVING') failures++;
      console.log(`${r === 'SERVING' ? 'ok  ' : 'FAIL'} ${m.name.padEnd(15)} ${`127.0.0.1:${m.port(config)}`.padEnd(16)} /readyz=${r}`);
      continue;
    }
    const address = `127.0.0.1:${m.port(config)}`;
    const results = await Promise.all(['', 'liveness', 'readiness'].map(async name => [name || "''", await check(address, name)] as const));
    const ok = results.every(([, status]) => status === 'SERVING');
    if (!ok) failures++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${m.name.padEnd(15)} ${address.padEnd(16)} ${results.map(([n, s]) => `${n}=${s}`).join(' ')}`);
  }
  if (modules.length === 0) console.log('no services registered');
  return failures === 0 ? 0 : 1;
}

main().then(code => process.exit(code), (err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(2);
});
