// `make seed`: load the seed catalog (upstream's 9 products + flash-sale items) into MySQL and warm
// their stock into Redis. Idempotent: re-running never touches live stock unless --reset.
// Usage: tsx scripts/seed.ts [--reset] [--sale-starts-at <ISO-8601>] [--no-warm-up]
import { parseArgs } from 'node:util';
import { runCli, withStoreClients } from './lib/cli';
import { systemClock } from '../src/platform/clock';
import { seedCatalog } from '../src/services/productcatalog/seed/seed';
import { createProductCatalogParts, productCatalogSettings } from '../src/services/productcatalog/wiring';

const USAGE = 'usage: seed [--reset] [--sale-starts-at <ISO-8601 time>] [--no-warm-up]';

function parseCli(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      reset: { type: 'boolean', default: false },
      'sale-starts-at': { type: 'string' },
      'no-warm-up': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const raw = values['sale-starts-at'];
  const saleStartsAt = raw === undefined ? undefined : new Date(raw);
  if (saleStartsAt && Number.isNaN(saleStartsAt.getTime())) throw new Error(`--sale-starts-at: not a time: ${raw}\n${USAGE}`);
  return { help: values.help === true, reset: values.reset === true, skipWarmUp: values['no-warm-up'] === true, saleStartsAt };
}

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }
  return withStoreClients('seed', async ({ config, logger, database, redis }) => {
    const parts = createProductCatalogParts({ redis, db: database.db, clock: systemClock, logger, adminToken: '', ...productCatalogSettings(config) });
    const rows = await seedCatalog(
      { db: database.db, stock: parts.stock, items: parts.items, catalog: parts.catalog, now: () => systemClock.now() },
      { reset: cli.reset, skipWarmUp: cli.skipWarmUp, ...(cli.saleStartsAt ? { saleStartsAt: cli.saleStartsAt } : {}) },
    );
    for (const r of rows) {
      console.log(`${r.id.padEnd(22)} mysql=${r.row.padEnd(9)} redis=${r.warmUp}${r.stock !== undefined ? ` stock=${r.stock}` : ''}`);
    }
    const bad = rows.filter(r => r.warmUp !== 'WARMED' && r.warmUp !== 'SKIPPED');
    if (bad.length > 0) console.log(`${bad.length} item(s) not warmed: pending stock changes are still on their way to MySQL; retry later`);
    return bad.length > 0 ? 1 : 0;
  });
}

runCli(main);
