// Optional TLS: with GRPC_TLS_CERT_FILE/KEY_FILE the servers speak TLS only; clients given the CA
// (GRPC_TLS_CA_FILE) call an admin RPC over it, plaintext clients and clients that do not trust the
// CA get UNAVAILABLE. The certificate is made here with openssl (SAN IP:127.0.0.1).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChannelCredentials, status, type ServiceError } from '@grpc/grpc-js';
import { InventoryServiceClient, InventoryServiceService, WarmUpOutcome } from '../../src/gen/shop/v1/inventory';
import { systemClock } from '../../src/platform/clock';
import { ConfigError } from '../../src/platform/config';
import { createGrpcClient, unary, useClientTls } from '../../src/platform/grpc-client';
import { clientCredentials } from '../../src/platform/grpc-tls';
import type { RedisClient } from '../../src/platform/redis';
import { SEED_ITEMS } from '../../src/services/productcatalog/seed/seed-data';
import { seedProducts } from '../../src/services/productcatalog/seed/seed-products';
import { createProductCatalogParts } from '../../src/services/productcatalog/wiring';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { useTestDatabase } from '../support/test-database';
import { testLogger } from '../support/test-logger';
import { closeRedis, createTestRedis, deleteKeys } from '../support/test-redis';
import { startTestServer, type TestServer } from '../support/test-server';

const ADMIN_TOKEN = 'tls-test-admin-token';
const ADMIN = { metadata: { authorization: `Bearer ${ADMIN_TOKEN}` } };
const PRODUCT = SEED_ITEMS[0]!.product.id;

interface Pki {
  readonly dir: string;
  readonly cert: string;
  readonly key: string;
  /** Another self-signed certificate: a CA that did not sign the server's. */
  readonly otherCa: string;
}

function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', `/CN=${name}`,
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    throw new Error(e.code === 'ENOENT' ? 'openssl is not installed (apt-get install openssl): the TLS test needs it to make a certificate' : `openssl failed: ${e.stderr?.toString() ?? e.message}`);
  }
  return { cert, key };
}

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'grpc-tls-'));
  const server = selfSigned(dir, 'server');
  return { dir, cert: server.cert, key: server.key, otherCa: selfSigned(dir, 'other').cert };
}

const codeOf = (p: Promise<unknown>) => p.then(() => status.OK, (e: ServiceError) => e.code);

describe('optional gRPC TLS (GRPC_TLS_CERT_FILE / GRPC_TLS_KEY_FILE / GRPC_TLS_CA_FILE)', function () {
  this.timeout(60_000);
  const testDb = useTestDatabase();
  let pki: Pki;
  let redis: RedisClient;
  let server: TestServer;
  const ns = uniqueId('tls');

  before(async () => {
    pki = makePki();
    redis = await createTestRedis('tls-test');
    await seedProducts(testDb.current.db, SEED_ITEMS, { reset: false, saleStartsAt: new Date(), overrideSaleStart: false });
    const parts = createProductCatalogParts({
      redis,
      db: testDb.current.db,
      clock: systemClock,
      logger: testLogger('productcatalog'),
      adminToken: ADMIN_TOKEN,
      catalogSettings: { keyPrefix: `test:${ns}:catalog` },
      stockSettings: { namespace: ns },
    });
    server = await startTestServer(s => s.add(InventoryServiceService, parts.inventoryHandlers), {
      config: testConfig({ GRPC_TLS_CERT_FILE: pki.cert, GRPC_TLS_KEY_FILE: pki.key, SHUTDOWN_GRACE_MS: '2000' }),
    });
  });

  after(async () => {
    await server?.stop();
    if (redis) {
      await deleteKeys(redis, `test:${ns}:`);
      await deleteKeys(redis, `{${ns}:`);
      await closeRedis(redis);
    }
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  function warmUpWith(credentials: ChannelCredentials, metadata = ADMIN.metadata) {
    const client = createGrpcClient(InventoryServiceClient, server.address, {}, credentials);
    return { client, call: unary(client, 'warmUp', { defaultDeadlineMs: 5_000 })({ productIds: [PRODUCT] }, { metadata }) };
  }

  it('serves an admin RPC over TLS to a client that trusts the CA', async () => {
    const { client, call } = warmUpWith(clientCredentials({ caFile: pki.cert }));
    try {
      const res = await call;
      assert.equal(res.results[0]?.outcome, WarmUpOutcome.WARM_UP_OUTCOME_WARMED);
    } finally {
      client.close();
    }
  });

  it('still asks the admin token over TLS (UNAUTHENTICATED without it)', async () => {
    const { client, call } = warmUpWith(clientCredentials({ caFile: pki.cert }), {} as typeof ADMIN.metadata);
    try {
      assert.equal(await codeOf(call), status.UNAUTHENTICATED);
    } finally {
      client.close();
    }
  });

  it('refuses a plaintext client: UNAVAILABLE', async () => {
    const { client, call } = warmUpWith(ChannelCredentials.createInsecure());
    try {
      assert.equal(await codeOf(call), status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });

  it('a client that does not trust the server certificate gets UNAVAILABLE', async () => {
    const { client, call } = warmUpWith(clientCredentials({ caFile: pki.otherCa }));
    try {
      assert.equal(await codeOf(call), status.UNAVAILABLE);
    } finally {
      client.close();
    }
  });

  it('useClientTls makes later createGrpcClient calls use TLS (what main does with GRPC_TLS_CA_FILE)', async () => {
    useClientTls({ caFile: pki.cert });
    const client = createGrpcClient(InventoryServiceClient, server.address);
    useClientTls({ caFile: '' });
    try {
      const res = await unary(client, 'getStock', { defaultDeadlineMs: 5_000 })({ productId: PRODUCT });
      assert.equal(res.productId, PRODUCT);
    } finally {
      client.close();
    }
  });

  it('a certificate without its key (or an unreadable file) stops start-up with one line naming the key', async () => {
    const listenWith = async (env: Record<string, string>) => {
      const s = startTestServer(() => undefined, { config: testConfig({ SHUTDOWN_GRACE_MS: '100', ...env }) });
      return s.then(async started => {
        await started.stop();
        return undefined;
      }, (err: unknown) => err);
    };
    const noKey = await listenWith({ GRPC_TLS_CERT_FILE: pki.cert });
    assert.ok(noKey instanceof ConfigError, String(noKey));
    assert.match(noKey.message, /^config: GRPC_TLS_KEY_FILE must be set together/);
    const missing = await listenWith({ GRPC_TLS_CERT_FILE: join(pki.dir, 'nope.crt'), GRPC_TLS_KEY_FILE: pki.key });
    assert.ok(missing instanceof ConfigError, String(missing));
    assert.match(missing.message, /^config: GRPC_TLS_CERT_FILE cannot be read \(ENOENT\)/);
  });
});
