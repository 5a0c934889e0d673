// Sale simulator (`make sale`): a flash sale end to end against the services of `make run`, then the
// ledger's verdict (BENCHMARKS.md section "sale").
//   npx tsx bench/sale/main.ts                    100 000 attempts on 1 000 units + 500 PlaceOrder; writes BENCHMARKS.md
//   npx tsx bench/sale/main.ts --quick            5 000 attempts on 100 units (< 1 min); writes nothing unless --write
//   npx tsx bench/sale/main.ts --against-running  use make run's checkout as is (its 30 min window: non-payers cancel themselves)
// By default it starts its own checkout process (the real checkout module: short ORDER_PAYMENT_WINDOW_MS so
// the never-paying share is cancelled by the timeout during the run, CHECKOUT_TRUST_FORWARDED_FOR so every
// buyer has its own address under the per-IP limits); productcatalog, order, cart, payment, … are make run's.
// Each run creates fresh sale items (SALE-SIM-<run>-N) in the shop's MySQL and warms them with the admin
// RPCs (token: ADMIN_TOKEN or .stack/admin-token). Exit 0 only when the simulator's own checks pass and the
// ledger is clean.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { loadConfig, type Config } from '../../src/platform/config';
import { createDatabase, type Database } from '../../src/platform/db';
import { createLogger } from '../../src/platform/logger';
import { projectPath, projectRoot } from '../../src/platform/paths';
import { UPSTREAM_PRODUCTS } from '../../src/services/productcatalog/seed/seed-data';
import { startChildServer, type ChildServer } from '../lib/child-server';
import { load1, machineInfo } from '../lib/machine';
import { writeSection } from '../lib/markdown';
import { measureBaselines, type Baselines } from './baselines';
import { cpuSpent, pidFromFile, sampleCpu, type NamedProcess } from './cpu-usage';
import { codeName } from './grpc-outcome';
import { runLedger } from './ledger-verdict';
import { parseSaleParams, USAGE, type SaleParams } from './params';
import { consoleReport, markdownSection } from './report';
import { runSale } from './run-sale';
import type { SaleCheckoutReady } from './sale-checkout';
import { createShopClients, type ShopAddresses, type ShopClients } from './shop-clients';
import { catalogItemsReady, stageSaleItems } from './stage';

const log = (msg: string) => process.stdout.write(`[sale] ${msg}\n`);

function adminToken(config: Config): string {
  if (config.admin.token) return config.admin.token;
  const file = projectPath('.stack', 'admin-token');
  const token = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  if (!token) throw new Error('no admin token: set ADMIN_TOKEN or start the services with `make run` (it writes .stack/admin-token)');
  return token;
}

function runningAddresses(config: Config): ShopAddresses {
  const a = config.addr;
  return { checkout: a.checkout, order: a.order, cart: a.cart, productCatalog: a.productCatalog, currency: a.currency };
}

/** make run's productcatalog and order service answer (a clear message instead of a wall of UNAVAILABLE). */
async function requireRunningShop(shop: ShopClients, placeOrders: number): Promise<void> {
  try {
    if (placeOrders > 0) await catalogItemsReady(shop);
    await shop.getOrderProgress({ orderId: 'sale-simulator-probe', userId: '' }).catch((err: unknown) => {
      if (codeName(err) !== 'NOT_FOUND') throw err;
    });
  } catch (err) {
    const what = err instanceof Error ? err.message : String(err);
    throw new Error(`the services of \`make run\` do not answer (${shop.addresses.productCatalog}, ${shop.addresses.order}): ${what}\nstart them with \`make run\``);
  }
}

async function startOwnCheckout(params: SaleParams, token: string): Promise<ChildServer<SaleCheckoutReady>> {
  return startChildServer<SaleCheckoutReady>({
    entry: projectPath('bench/sale/sale-checkout.ts'),
    env: {
      ...process.env,
      CHECKOUT_PORT: '0',
      GRPC_HOST: '127.0.0.1',
      ORDER_PAYMENT_WINDOW_MS: String(params.paymentWindowMs),
      CHECKOUT_TRUST_FORWARDED_FOR: 'true',
      ADMIN_TOKEN: token,
      LOG_LEVEL: 'warn',
    },
  });
}

async function run(params: SaleParams): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config, 'sale', { level: 'warn' });
  const machine = machineInfo(projectRoot());
  const loadBefore = load1();
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const token = adminToken(config);
  let database: Database | undefined;
  let checkout: ChildServer<SaleCheckoutReady> | undefined;
  let shop: ShopClients | undefined;
  try {
    const running = runningAddresses(config);
    const probe = createShopClients(running, params.callDeadlineMs);
    try {
      await requireRunningShop(probe, params.placeOrders);
    } finally {
      probe.close();
    }
    let target: string;
    let addresses = running;
    if (params.againstRunning) {
      target = `the services of \`make run\` (checkout ${running.checkout})`;
    } else {
      checkout = await startOwnCheckout(params, token);
      const own = checkout;
      // Interrupted: take the child checkout down too (it would outlive us otherwise).
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          log(`${signal}: stopping the sale checkout`);
          void own.stop().finally(() => process.exit(130));
        });
      }
      addresses = { ...running, checkout: `127.0.0.1:${checkout.info.port}` };
      target = `the simulator's own checkout process (ORDER_PAYMENT_WINDOW_MS=${params.paymentWindowMs}, CHECKOUT_TRUST_FORWARDED_FOR=true) in front of \`make run\`'s productcatalog, order, cart, currency, payment, shipping and email`;
    }
    shop = createShopClients(addresses, params.callDeadlineMs);
    log(`run ${runId}: ${params.attempts} attempts on ${params.items} × ${params.units} units, ${params.placeOrders} PlaceOrder; checkout ${addresses.checkout}`);

    let baselines: Baselines | undefined;
    if (params.baselineMs > 0) {
      log(`baselines: naive MySQL and the gRPC floor, ${params.baselineMs} ms each`);
      baselines = await measureBaselines(config, shop, { runId, concurrency: params.concurrency, durationMs: params.baselineMs });
    }

    database = createDatabase({ ...config, mysql: { ...config.mysql, poolSize: 4 } }, { logger });
    const skus = await stageSaleItems(database.db, shop, token, { runId, items: params.items, units: params.units, limitPerUser: params.limitPerUser });
    log(`warmed ${skus.join(', ')}`);

    // Where the CPU goes: the load generator and its checkout (client side) vs the services and stores.
    const procs: NamedProcess[] = [{ name: 'simulator', pid: process.pid }];
    if (checkout) procs.push({ name: 'sale checkout', pid: checkout.pid });
    for (const [name, file] of [['make run services', ['services', 'services.pid']], ['RocketMQ proxy+broker', ['rocketmq', 'proxy.pid']], ['MariaDB', ['mariadb', 'mariadb.pid']], ['Redis', ['redis', 'redis.pid']]] as const) {
      const pid = pidFromFile(projectPath('.stack', ...file));
      if (pid !== undefined) procs.push({ name, pid });
    }
    const cpuBefore = sampleCpu(procs);
    const sale = await runSale({
      shop,
      db: database.db,
      runId,
      skus,
      unitsPerItem: params.units,
      limitPerUser: params.limitPerUser,
      attempts: params.attempts,
      concurrency: params.concurrency,
      placeOrders: params.placeOrders,
      placeConcurrency: params.placeConcurrency,
      nonPayerPct: params.nonPayerPct,
      repeatPct: params.repeatPct,
      perBuyerAddress: !params.againstRunning,
      maxTimeoutWaitMs: params.maxTimeoutWaitMs,
      drainTimeoutMs: params.drainTimeoutMs,
      log,
    });

    const cpu = cpuSpent(cpuBefore, sampleCpu(procs));
    log(`ledger check (scripts/ledger.ts --wait-drain ${params.ledgerWaitMs})`);
    const ledger = await runLedger({ skus: [...skus, ...UPSTREAM_PRODUCTS.map(p => p.id)], waitDrainMs: params.ledgerWaitMs, env: process.env });
    const report = {
      params,
      runId,
      skus,
      target,
      paymentWindowMs: Number.isFinite(sale.tally.observedWindowMs) ? Math.round(sale.tally.observedWindowMs / 1000) * 1000 : params.paymentWindowMs,
      sale,
      ...(baselines ? { baselines } : {}),
      ledger,
      machine,
      loadBefore,
      loadAfter: load1(),
      cpu,
    };
    process.stdout.write(`\n${consoleReport(report)}\n\n`);
    const clean = sale.breaches.length === 0 && ledger.verdict === 'clean';
    if (params.write) {
      writeSection(params.output, 'sale', markdownSection(report));
      log(`wrote the "sale" section of ${params.output}`);
    }
    log(clean ? 'sale ended clean' : 'sale NOT clean (see above)');
    return clean ? 0 : 1;
  } finally {
    shop?.close();
    await checkout?.stop().catch(err => log(`stopping the sale checkout failed: ${String(err)}`));
    await database?.close();
  }
}

let params: SaleParams;
try {
  params = parseSaleParams(process.argv.slice(2), projectPath('BENCHMARKS.md'));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
if (params.help) {
  process.stdout.write(`${USAGE}\n`);
} else {
  run(params).then(
    code => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`sale failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
