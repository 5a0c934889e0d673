// Checkout bench: PlaceOrder and flash-sale Buy throughput and latency with ghz at a fixed concurrency,
// against a no-I/O gRPC floor measured in the same run (BENCHMARKS.md section "checkout").
//   npx tsx bench/checkout/main.ts            full run (~1 min), writes BENCHMARKS.md
//   npx tsx bench/checkout/main.ts --quick    seconds, writes nothing unless --write
// Needs the local stack (make stack-up) and ghz (scripts/install-ghz.sh; built on first use).
// Everything it creates is removed at the end: the bench_co_* database, Redis keys under its prefix and
// stock namespace. PAID events go to the test topic it-checkout-status, never to order-status.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { projectPath, projectRoot } from '../../src/platform/paths';
import { closeRedis, connectRedis, createRedis, type RedisClient } from '../../src/platform/redis';
import { createBenchDatabase, durabilitySettings, type BenchDatabase } from '../lib/bench-database';
import { load1, machineInfo } from '../lib/machine';
import { writeSection } from '../lib/markdown';
import { redisDurability, unlinkByPrefix } from '../lib/redis-keys';
import { runGhz, type GhzResult } from './ghz';
import { parseCheckoutBenchParams, USAGE, type CheckoutBenchParams } from './params';
import { consoleReport, markdownSection, type Phase } from './report';
import { CART_ITEMS, FLASH_ITEM, startWorld, type World } from './world';

const log = (msg: string) => process.stdout.write(`[bench-checkout] ${msg}\n`);

const ADDRESS = { street_address: '1600 Amphitheatre Parkway', city: 'Mountain View', state: 'CA', country: 'United States', zip_code: 94043 };
const CARD = { credit_card_number: '4432801561520454', credit_card_cvv: 672, credit_card_expiration_year: new Date().getUTCFullYear() + 1, credit_card_expiration_month: 1 };

function ghzBinary(): string {
  const bin = projectPath('.stack', 'bin', 'ghz');
  if (existsSync(bin)) return bin;
  log('ghz not found; building it (scripts/install-ghz.sh)');
  const r = spawnSync('bash', [projectPath('scripts', 'install-ghz.sh')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error('scripts/install-ghz.sh failed');
  return r.stdout.trim().split('\n').pop() as string;
}

interface Env {
  readonly redis: RedisClient;
  readonly db: BenchDatabase;
  readonly world: World;
  readonly runId: string;
  readonly dir: string;
}

async function measure(
  ghz: string,
  env: Env,
  params: CheckoutBenchParams,
  call: string,
  address: string,
  make: (tag: string, n: number) => Promise<unknown[]>,
  total: number,
  proto?: string,
): Promise<GhzResult> {
  const base = {
    call,
    address,
    concurrency: params.concurrency,
    connections: params.connections,
    dataFile: join(env.dir, 'data.json'),
    ...(proto ? { proto: { file: proto, importPaths: [projectPath('protos'), '/usr/include'] } } : {}),
  };
  if (params.warmUp > 0) {
    const warm = await make('w', params.warmUp);
    await runGhz(ghz, { ...base, requests: warm, total: warm.length });
  }
  const requests = await make('m', total);
  return runGhz(ghz, { ...base, requests, total: requests.length });
}

async function run(params: CheckoutBenchParams): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'bench-checkout', { level: 'warn' });
  const ghz = ghzBinary();
  const machine = machineInfo(projectRoot());
  const loadBefore = load1();
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `bench:co-${runId}:`;
  const namespace = `bench-co-${runId}`;
  const redis = createRedis(config, { logger, name: 'bench-checkout' });
  await connectRedis(redis, config);
  const db = await createBenchDatabase(config.mysql.url, `bench_co_${runId}`);
  const dir = mkdtempSync(join(tmpdir(), 'bench-checkout-'));
  let world: World | undefined;
  try {
    log(`starting the shop (database ${db.name}, prefix ${prefix})`);
    const stock = 10_000_000;
    world = await startWorld({ config, redis, databaseUrl: db.url, prefix, namespace, stock, logger });
    const env: Env = { redis, db, world, runId, dir };
    const w = world;
    const users = (kind: string, tag: string, n: number) => Array.from({ length: n }, (_, i) => `bench-${kind}-${runId}-${tag}${i}`);

    log(`floor: CurrencyService.GetSupportedCurrencies × ${params.floorCalls}`);
    const floor = await measure(ghz, env, params, 'hipstershop.CurrencyService.GetSupportedCurrencies', w.currencyAddress,
      async (_tag, n) => Array.from({ length: n }, () => ({})), params.floorCalls);
    const floorLoad = load1();

    log(`PlaceOrder × ${params.placeOrders} (carts filled first)`);
    const cartBefore = await w.stock(CART_ITEMS[0]);
    const placeOrder = await measure(ghz, env, params, 'hipstershop.CheckoutService.PlaceOrder', w.checkoutAddress, async (tag, n) => {
      const ids = users('po', tag, n);
      await w.fillCarts(ids);
      return ids.map(user_id => ({ user_id, user_currency: 'EUR', address: ADDRESS, email: 'someone@example.com', credit_card: CARD }));
    }, params.placeOrders);
    const placeLoad = load1();
    const placed = cartBefore - (await w.stock(CART_ITEMS[0]));

    log(`Buy × ${params.buys} (tokens issued first)`);
    const flashBefore = await w.stock(FLASH_ITEM);
    const buy = await measure(ghz, env, params, 'shop.v1.FlashSaleService.Buy', w.checkoutAddress, async (tag, n) => {
      const ids = users('buy', tag, n);
      const tokens = await w.issueTokens(ids, params.concurrency);
      return ids.map((user_id, i) => ({ user_id, product_id: FLASH_ITEM, quantity: 1, token: tokens[i], shipping_address: ADDRESS, email: 'someone@example.com' }));
    }, params.buys);
    const buyLoad = load1();
    const bought = flashBefore - (await w.stock(FLASH_ITEM));

    const warm = params.warmUp;
    const phases: Phase[] = [
      { name: 'floor', what: '`CurrencyService.GetSupportedCurrencies` (no I/O): the gRPC + ghz cost on this machine.', result: floor, load: floorLoad, check: `${floor.statuses.OK ?? 0} OK` },
      {
        name: 'PlaceOrder',
        what: 'upstream `hipstershop.CheckoutService.PlaceOrder` from a full cart (2 products), in EUR, no idempotency-key: validate, currency check, GetCart + order epoch (derived idempotency key), idempotency record, 2 rate limits, 2 × GetProduct, 3 × Convert, GetQuote, Reserve (Lua), Charge (MySQL insert), PAID to RocketMQ, EmptyCart.',
        result: placeOrder,
        load: placeLoad,
        check: `stock of each cart item −${placed} (= ${params.placeOrders} measured + ${warm} warm-up orders)`,
      },
      {
        name: 'Buy',
        what: '`shop.v1.FlashSaleService.Buy` of 1 unit with a token issued beforehand (per-user limit 1): idempotency, rate limits, token get-and-delete, validator chain, Reserve (Lua); payment comes later (PayOrder).',
        result: buy,
        load: buyLoad,
        check: `flash item stock −${bought} (= ${params.buys} + ${warm} accepted)`,
      },
    ];
    process.stdout.write(`\n${consoleReport(phases)}\n\n`);
    for (const p of phases) {
      const bad = Object.entries(p.result.statuses).filter(([s]) => s !== 'OK');
      if (bad.length > 0) log(`${p.name}: non-OK statuses ${JSON.stringify(Object.fromEntries(bad))} ${JSON.stringify(p.result.errors)}`);
    }
    if (placed !== params.placeOrders + warm || bought !== params.buys + warm) {
      log(`WARNING: business check failed (placed ${placed}, bought ${bought})`);
    }
    if (params.write) {
      const redisInfo = await redisDurability(redis);
      const mysqlInfo = await durabilitySettings(config.mysql.url);
      const envText = `Redis ${redisInfo.redis_version ?? '?'} (appendonly=${redisInfo.appendonly ?? '?'}), MariaDB ${mysqlInfo.version ?? '?'} (innodb_flush_log_at_trx_commit=${mysqlInfo.innodb_flush_log_at_trx_commit ?? '?'}), ghz ${ghzVersion(ghz)}`;
      writeSection(params.output, 'checkout', markdownSection(phases, params, machine, loadBefore, envText));
      log(`wrote the "checkout" section of ${params.output}`);
    }
  } finally {
    await world?.stop().catch(err => log(`stopping the shop failed: ${String(err)}`));
    await unlinkByPrefix(redis, prefix).catch(() => undefined);
    await unlinkByPrefix(redis, `{${namespace}:`).catch(() => undefined);
    await db.drop().catch(() => undefined);
    await closeRedis(redis);
    rmSync(dir, { recursive: true, force: true });
  }
}

function ghzVersion(ghz: string): string {
  const r = spawnSync(ghz, ['--version'], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

const params = parseCheckoutBenchParams(process.argv.slice(2), projectPath('BENCHMARKS.md'));
if (params.help) {
  process.stdout.write(`${USAGE}\n`);
} else {
  run(params).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench-checkout failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
