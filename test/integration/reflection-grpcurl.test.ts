// gRPC reflection as Go clients see it: the real productcatalog handlers and the production flash-sale
// wiring, served by serveGrpc (reflection from the Runtime's protos, i.e. protos/descriptor-set.binpb),
// on port 0 over real Redis + MariaDB, driven by a real grpcurl (scripts/install-grpcurl.sh). Also
// checks the raw reflection answers: each file as protoc built it, with its imports in the response.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { credentials, loadPackageDefinition, type Client } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ProductCatalogServiceService } from '../../src/gen/hipstershop/demo';
import { InventoryServiceService } from '../../src/gen/shop/v1/inventory';
import { breakerSettings, createBreakers } from '../../src/platform/breaker';
import { systemClock } from '../../src/platform/clock';
import { createIdempotency, idempotencySettings } from '../../src/platform/idempotency';
import { projectPath } from '../../src/platform/paths';
import { DESCRIPTOR_SET_FILE } from '../../src/platform/protos';
import { createRateLimiter } from '../../src/platform/rate-limit';
import { createShutdown, type Shutdown } from '../../src/platform/shutdown';
import { createCheckoutClients } from '../../src/services/checkout/clients';
import { flashSaleRegistration } from '../../src/services/checkout/flashsale/wiring';
import { createRuntime } from '../../src/services/runtime';
import { serveGrpc, service } from '../../src/services/serve';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';
import { deleteKeys } from '../support/test-redis';
import { ADMIN_TOKEN, useFlashFixture } from './flashsale-fixture';

const run = promisify(execFile);
const SKU = 'REFL-FLASH-1';
const STOCK = 5;

/** Builds (first run: minutes) or finds .stack/bin/grpcurl; fails with the script's own explanation. */
async function installGrpcurl(): Promise<string> {
  try {
    const { stdout } = await run('bash', [projectPath('scripts/install-grpcurl.sh')], { timeout: 15 * 60_000, maxBuffer: 16 << 20 });
    const path = stdout.trim().split('\n').pop();
    if (!path) throw new Error('install-grpcurl.sh printed no path');
    return path;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    const detail = (e.stderr ?? e.message).trim().split('\n').slice(-5).join('\n');
    throw new Error(`grpcurl is missing and scripts/install-grpcurl.sh could not build it (Go module proxy reachable?):\n${detail}`);
  }
}

interface ReflectionReply {
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

interface ReflectionStream {
  write(msg: Record<string, string>): void;
  end(): void;
  on(ev: 'data', cb: (msg: ReflectionReply) => void): void;
  on(ev: 'error', cb: (err: Error) => void): void;
}

type ReflectionClient = Client & { ServerReflectionInfo(): ReflectionStream };

/** One reflection request (v1 or v1alpha, as ghz and older grpcurl builds speak) → the files it returns. */
async function reflect(address: string, version: 'v1' | 'v1alpha', request: Record<string, string>): Promise<FileDescriptorProto[]> {
  const file = require.resolve(`@grpc/reflection/build/proto/grpc/reflection/${version}/reflection.proto`);
  const pkg = loadPackageDefinition(loadSync(file, { keepCase: true }));
  const Ctor = (pkg.grpc as Record<string, Record<string, Record<string, unknown>>>).reflection![version]!.ServerReflection as new (
    a: string,
    c: ReturnType<typeof credentials.createInsecure>,
  ) => ReflectionClient;
  const client = new Ctor(address, credentials.createInsecure());
  try {
    const reply = await new Promise<ReflectionReply>((resolve, reject) => {
      const call = client.ServerReflectionInfo();
      call.on('data', msg => {
        resolve(msg);
        call.end();
      });
      call.on('error', reject);
      call.write(request);
    });
    if (reply.error_response) throw new Error(`reflection error ${reply.error_response.error_code}: ${reply.error_response.error_message}`);
    return (reply.file_descriptor_response?.file_descriptor_proto ?? []).map(b => fromBinary(FileDescriptorProtoSchema, b));
  } finally {
    client.close();
  }
}

/** protoc's own view of each file, from the descriptor set gen-proto.sh wrote. */
function protocFiles(): Map<string, FileDescriptorProto> {
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(projectPath('protos', DESCRIPTOR_SET_FILE)));
  return new Map(set.file.map(f => [f.name, f]));
}

describe('reflection for Go clients (grpcurl) on the real servers', function () {
  this.timeout(120_000);
  const fx = useFlashFixture([{ id: SKU, stock: STOCK, limit: 1 }]);
  let grpcurlBin: string;
  let shutdown: Shutdown;
  let catalogAddr: string;
  let checkoutAddr: string;
  const cleanups: Array<() => Promise<void>> = [];

  const grpcurl = async (...args: string[]): Promise<string> => {
    try {
      return (await run(grpcurlBin, ['-plaintext', ...args], { timeout: 60_000 })).stdout;
    } catch (err) {
      const e = err as Error & { stderr?: string };
      throw new Error(`grpcurl ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
    }
  };
  const grpcurlJson = async (...args: string[]): Promise<Record<string, unknown>> => JSON.parse(await grpcurl(...args)) as Record<string, unknown>;

  before(async function () {
    this.timeout(20 * 60_000); // a cold grpcurl build
    grpcurlBin = await installGrpcurl();
    const f = fx.current;
    const config = testConfig({
      MYSQL_URL: f.dbConfig.mysql.url,
      MYSQL_MIGRATE_ON_START: 'false',
      PRODUCT_CATALOG_SERVICE_ADDR: f.inventoryAddress,
      SHUTDOWN_GRACE_MS: '2000',
    });
    const logger = testLogger('reflection');
    shutdown = createShutdown({ logger, timeoutMs: 10_000, exit: () => undefined });
    const rt = createRuntime({ config, logger, clock: systemClock, shutdown });
    // productcatalog as its module serves it, on the fixture's parts (admin token ADMIN_TOKEN).
    const catalog = await serveGrpc(rt, 'productcatalog', 0, [
      service(ProductCatalogServiceService, f.catalog.catalogHandlers),
      service(InventoryServiceService, f.catalog.inventoryHandlers),
    ]);
    catalogAddr = `127.0.0.1:${catalog.port}`;
    // checkout's FlashSaleService through its production wiring.
    const redis = await rt.redis();
    const prefix = `test:${uniqueId('refl')}:`;
    const breakers = createBreakers({ settings: breakerSettings(config), logger });
    const clients = createCheckoutClients({
      addresses: { cart: config.addr.cart, productCatalog: config.addr.productCatalog, currency: config.addr.currency, shipping: config.addr.shipping, payment: config.addr.payment },
      breakers,
      deadlineMs: config.rpc.deadlineMs,
      adminToken: '',
    });
    cleanups.push(async () => {
      clients.close();
      breakers.shutdown();
      await deleteKeys(redis, prefix);
    });
    const registration = await flashSaleRegistration(rt, {
      breakers,
      clients,
      limiter: createRateLimiter({ redis, clock: systemClock, prefix }),
      idempotency: createIdempotency({ redis, clock: systemClock, settings: idempotencySettings(config), logger, prefix }),
    });
    const checkout = await serveGrpc(rt, 'checkout', 0, [registration]);
    checkoutAddr = `127.0.0.1:${checkout.port}`;
  });

  after(async function () {
    this.timeout(60_000);
    for (const clean of cleanups.reverse()) await clean().catch(() => undefined);
    await shutdown?.run('test over');
  });

  describe('raw reflection answers', () => {
    const files = protocFiles();
    const cases: Array<[symbol: string, file: string]> = [
      ['shop.v1.FlashSaleService', 'shop/v1/flashsale.proto'],
      ['shop.v1.OrderService', 'shop/v1/order.proto'],
      ['shop.v1.InventoryService', 'shop/v1/inventory.proto'],
      ['hipstershop.CheckoutService', 'hipstershop/demo.proto'],
      ['grpc.health.v1.Health', 'health/v1/health.proto'],
      ['shop.v1.OrderDraft', 'shop/v1/common.proto'],
    ];

    for (const version of ['v1', 'v1alpha'] as const) {
      for (const [symbol, name] of cases) {
        it(`${version} file_containing_symbol ${symbol} → ${name} as protoc built it, with every import it needs`, async () => {
          const got = await reflect(catalogAddr, version, { file_containing_symbol: symbol });
          const [first] = got;
          assert.equal(first?.name, name);
          assert.deepEqual(first.dependency, files.get(name)?.dependency, `${name} dependency list`);
          assertClosed(got);
        });
      }
    }

    it('file_by_filename serves each file with its imports, e.g. order.proto needs demo, common and Timestamp', async () => {
      const got = await reflect(catalogAddr, 'v1', { file_by_filename: 'shop/v1/order.proto' });
      assert.equal(got[0]?.name, 'shop/v1/order.proto');
      assert.deepEqual([...got[0]!.dependency].sort(), ['google/protobuf/timestamp.proto', 'hipstershop/demo.proto', 'shop/v1/common.proto']);
      assertClosed(got);
      for (const name of files.keys()) {
        const [file] = await reflect(catalogAddr, 'v1', { file_by_filename: name });
        assert.equal(file?.name, name);
      }
    });

    /** Every import of every returned file is itself in the reply: a client needs no second round trip. */
    function assertClosed(got: readonly FileDescriptorProto[]): void {
      const names = new Set(got.map(f => f.name));
      for (const f of got) for (const dep of f.dependency) assert.ok(names.has(dep), `${f.name} imports ${dep}, not in the reply [${[...names].join(', ')}]`);
    }
  });

  describe('grpcurl', () => {
    it('list names exactly what each server serves, health included', async () => {
      const lines = (out: string) => out.trim().split('\n').sort();
      assert.deepEqual(lines(await grpcurl(catalogAddr, 'list')), ['grpc.health.v1.Health', 'hipstershop.ProductCatalogService', 'shop.v1.InventoryService']);
      assert.deepEqual(lines(await grpcurl(checkoutAddr, 'list')), ['grpc.health.v1.Health', 'shop.v1.FlashSaleService']);
    });

    it('describes the shop.v1 services and messages that use hipstershop.Money and google.protobuf.Timestamp', async () => {
      const flash = await grpcurl(checkoutAddr, 'describe', 'shop.v1.FlashSaleService');
      assert.match(flash, /rpc Buy \( \.shop\.v1\.BuyRequest \) returns \( \.shop\.v1\.BuyResponse \)/);
      assert.match(flash, /anti-resubmit/, 'comments come along (source info)');
      const order = await grpcurl(checkoutAddr, 'describe', 'shop.v1.OrderService');
      assert.match(order, /rpc WatchOrder \( \.shop\.v1\.WatchOrderRequest \) returns \( stream \.shop\.v1\./);
      const inventory = await grpcurl(catalogAddr, 'describe', 'shop.v1.InventoryService');
      assert.match(inventory, /rpc GetStock \( \.shop\.v1\.GetStockRequest \) returns \( \.shop\.v1\.StockInfo \)/);
      const draft = await grpcurl(catalogAddr, 'describe', 'shop.v1.OrderDraft');
      assert.match(draft, /\.hipstershop\.Money total = /);
      assert.match(draft, /\.google\.protobuf\.Timestamp created_at = /);
      const checkout = await grpcurl(catalogAddr, 'describe', 'hipstershop.CheckoutService');
      assert.match(checkout, /rpc PlaceOrder \( \.hipstershop\.PlaceOrderRequest \) returns \( \.hipstershop\.PlaceOrderResponse \)/);
      assert.match(await grpcurl(catalogAddr, 'describe', 'grpc.health.v1.Health'), /rpc Check /);
    });

    it('calls ProductCatalogService/GetProduct, InventoryService/GetStock and Health/Check', async () => {
      const product = await grpcurlJson('-d', JSON.stringify({ id: SKU }), catalogAddr, 'hipstershop.ProductCatalogService/GetProduct');
      assert.equal(product.id, SKU);
      assert.equal(product.name, `Flash ${SKU}`);
      const stock = await grpcurlJson('-d', JSON.stringify({ product_id: SKU }), catalogAddr, 'shop.v1.InventoryService/GetStock');
      assert.equal(stock.warmed, true);
      assert.equal(stock.redisStock, String(STOCK)); // protojson: int64 as a string
      const health = await grpcurlJson('-d', '{"service":"shop.v1.InventoryService"}', catalogAddr, 'grpc.health.v1.Health/Check');
      assert.equal(health.status, 'SERVING');
    });

    it('admin RPCs take the bearer token as -H metadata; without it UNAUTHENTICATED', async () => {
      const warm = await grpcurlJson('-H', `authorization: Bearer ${ADMIN_TOKEN}`, '-d', JSON.stringify({ product_ids: [SKU] }), catalogAddr, 'shop.v1.InventoryService/WarmUp');
      assert.ok(Array.isArray(warm.results), JSON.stringify(warm));
      await assert.rejects(grpcurl('-d', JSON.stringify({ product_ids: [SKU] }), catalogAddr, 'shop.v1.InventoryService/WarmUp'), /Code: Unauthenticated/);
    });

    it('buys through FlashSaleService: IssueToken, then Buy with an idempotency key; a retry returns the same order', async () => {
      const user = uniqueId('refl-user');
      cleanups.push(() => deleteKeys(fx.current.redis, `flash:{${user}}`));
      const { token } = await grpcurlJson('-d', JSON.stringify({ user_id: user, product_id: SKU }), checkoutAddr, 'shop.v1.FlashSaleService/IssueToken');
      assert.equal(typeof token, 'string');
      const buy = [
        '-H', `idempotency-key: ${user}-1`,
        '-d', JSON.stringify({
          user_id: user, product_id: SKU, quantity: 1, token, user_currency: 'USD', email: 'someone@example.com',
          shipping_address: { street_address: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'US', zip_code: 94043 },
        }),
        checkoutAddr, 'shop.v1.FlashSaleService/Buy',
      ];
      const first = await grpcurlJson(...buy);
      assert.equal(first.result, 'BUY_RESULT_ACCEPTED', JSON.stringify(first));
      assert.match(String(first.orderId), /\S/);
      assert.deepEqual(await grpcurlJson(...buy), first);
      assert.equal(await fx.current.redisStock(SKU), STOCK - 1);
    });
  });
});
