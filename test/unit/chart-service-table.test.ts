// The chart's NetworkPolicies and Secret references follow a table of who calls whom and who uses which store
// (SERVICES in chart-harness.ts, mirrored by seckill.services in the chart; the other chart tests hold the chart to
// it). This test holds the table to the code, so a new gRPC client or store use cannot be silently blocked in a
// cluster: it reads src/services/<svc>/ for the config it touches.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, SERVICES, SERVICE_NAMES } from './chart-harness';

const ADDR_TO_SERVICE: Record<string, string> = {
  cart: 'cart',
  currency: 'currency',
  payment: 'payment',
  shipping: 'shipping',
  email: 'email',
  checkout: 'checkout',
  order: 'order',
  productCatalog: 'productcatalog',
};

function sources(dir: string): string {
  return readdirSync(dir)
    .map(f => join(dir, f))
    .map(p => (statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? readFileSync(p, 'utf8') : ''))
    .join('\n');
}

describe('chart: service table matches the code', () => {
  for (const svc of SERVICE_NAMES) {
    it(`${svc}: peers, stores and admin token`, () => {
      const code = sources(join(ROOT, 'src', 'services', svc));
      const peers = new Set<string>();
      for (const m of code.matchAll(/\baddr\.(\w+)\b/g)) {
        const peer = ADDR_TO_SERVICE[m[1]!];
        if (peer && peer !== svc) peers.add(peer);
      }
      const infra: string[] = [];
      if (/\brt\.(redis|blockingRedis)\(/.test(code)) infra.push('redis');
      if (/\brt\.db\(/.test(code)) infra.push('mysql');
      if (/\bcreate(MqProducer|MqConsumer|DlqReader)\(/.test(code)) infra.push('rocketmq');
      const admin = /\badmin\.token\b/.test(code);

      const expected = SERVICES[svc];
      assert.deepEqual([...peers].sort(), [...expected.peers].sort(), `${svc} calls (config.addr.*)`);
      assert.deepEqual(infra.sort(), [...expected.infra].sort(), `${svc} stores`);
      assert.equal(admin, expected.admin, `${svc} ADMIN_TOKEN`);
    });
  }
});
