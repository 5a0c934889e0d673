// `make stock-reconcile SKU=<id>`: compare one item's Redis stock with MySQL stock + the stock changes
// MySQL lacks, list its dead-lettered stock entries, and with --apply re-drive them into MySQL (or, with
// --resolve, accept them as lost) and re-align its synced counter so WarmUp accepts the item again.
// Refuses to change anything while entries naming the item are still in flight in the live stream.
// See src/services/productcatalog/workers/stock-reconcile.ts.
// Exit: 0 nothing left to do, 1 the item still needs attention (or --apply was refused), 2 error.
import { parseArgs } from 'node:util';
import { FailedPreconditionError } from '../src/platform/errors';
import { runCli, withStoreClients } from './lib/cli';
import { systemClock } from '../src/platform/clock';
import { createStockService } from '../src/services/productcatalog/stock';
import { productCatalogSettings } from '../src/services/productcatalog/wiring';
import { STOCK_WRITER_GROUP } from '../src/services/productcatalog/workers';
import {
  inspectItem,
  reconcileItem,
  unsyncedOf,
  type ReconcileOutcome,
  type ReconcileReport,
} from '../src/services/productcatalog/workers/stock-reconcile';

const USAGE = 'usage: stock-reconcile --sku <product id> [--apply [--resolve]] [--namespace <test key namespace>]';

function parseCli(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      sku: { type: 'string' },
      apply: { type: 'boolean', default: false },
      resolve: { type: 'boolean', default: false },
      namespace: { type: 'string', default: '' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return { help: true as const };
  if (!values.sku) throw new UsageError(`--sku is required\n${USAGE}`);
  if (values.resolve && !values.apply) throw new UsageError(`--resolve only makes sense with --apply\n${USAGE}`);
  return { help: false as const, sku: values.sku, apply: values.apply === true, mode: values.resolve ? ('resolve' as const) : ('redrive' as const), namespace: values.namespace ?? '' };
}

class UsageError extends Error {}

function printReport(r: ReconcileReport): void {
  const out = (s: string) => console.log(s);
  out(`item ${r.sku} (shard ${r.shard}, ${r.stream})`);
  out(`  redis:  stock=${r.redis.stock ?? 'not warmed'} seq=${r.redis.seq} synced=${r.redis.synced} unsynced=${unsyncedOf(r)}`);
  out(`  mysql:  stock=${r.mysqlStock ?? 'no such product'}`);
  const match = r.expectedRedisStock === null ? 'n/a' : r.expectedRedisStock === r.redis.stock ? 'MATCH' : `MISMATCH by ${(r.redis.stock ?? 0) - r.expectedRedisStock}`;
  out(`  mysql + changes it lacks = ${r.expectedRedisStock ?? 'n/a'} -> ${match}`);
  out(`  in flight in the live stream: ${r.inFlight.length}`);
  for (const e of r.inFlight) out(`    ${e.id} order=${e.orderId} ${e.reason} delta=${e.delta}${e.pending ? ' pending' : ''}${e.delivered ? '' : ' undelivered'}`);
  if (r.lost.length > 0) {
    out(`  acked but never applied, no dead copy (MySQL lacks them): ${r.lost.length}`);
    for (const e of r.lost) out(`    ${e.id} order=${e.orderId} ${e.reason} delta=${e.delta}`);
  }
  out(`  dead entries: ${r.dead.length}${r.unreadableDead > 0 ? ` (+${r.unreadableDead} unreadable on this shard, left alone)` : ''}`);
  for (const d of r.dead) {
    out(
      `    ${d.deadId} <- ${d.sourceId} order=${d.record.orderId} ${d.record.reason} delta=${d.delta} applied=${d.applied} ` +
        `attempts=${d.attempts} reason="${d.deadReason}"${d.others.length ? ` also changes ${d.others.join(',')}` : ''}`,
    );
  }
}

function printOutcome(o: ReconcileOutcome): void {
  for (const a of o.actions) {
    if (a.result === 'REFUSED') console.log(`  ${a.deadId} <- ${a.sourceId}: REFUSED (${a.reason}); dead copy kept`);
    else console.log(`  ${a.deadId} <- ${a.sourceId}: ${a.result}${a.counted ? ', counted as synced, dead copy deleted' : ' (already resolved by someone else)'}`);
  }
  const r = o.realign;
  if (r.code === 'REALIGNED') console.log(`  synced re-aligned: ${r.previousSynced} -> ${r.seq}`);
  else if (r.code === 'SKIPPED') console.log(`  synced not re-aligned: ${r.why}`);
  else if (r.code === 'STALE') console.log(`  synced not re-aligned: the item changed meanwhile (seq=${r.seq} synced=${r.synced}); run again`);
  else if (r.code === 'MISSING') console.log('  synced not re-aligned: the item is gone from Redis');
  console.log('after:');
  printReport(o.after);
}

const settled = (r: ReconcileReport) => unsyncedOf(r) === 0 && r.dead.length === 0;

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }
  return withStoreClients('stock-reconcile', async ({ config, database, redis }) => {
    const { stockSettings } = productCatalogSettings(config);
    const stock = createStockService({ redis, clock: systemClock, settings: { ...stockSettings, namespace: cli.namespace } });
    const deps = { redis, db: database.db, stock, group: STOCK_WRITER_GROUP };
    if (!cli.apply) {
      const report = await inspectItem(deps, cli.sku);
      printReport(report);
      if (!settled(report)) console.log('to fix: --apply (re-drive dead entries into MySQL) or --apply --resolve (accept them as lost)');
      return settled(report) ? 0 : 1;
    }
    printReport(await inspectItem(deps, cli.sku));
    console.log(`apply (${cli.mode}):`);
    try {
      const outcome = await reconcileItem(deps, cli.sku, cli.mode);
      printOutcome(outcome);
      return settled(outcome.after) ? 0 : 1;
    } catch (err) {
      if (!(err instanceof FailedPreconditionError)) throw err;
      console.log(`  refused, nothing changed: ${err.message}`);
      return 1;
    }
  });
}

runCli(main, err => err instanceof UsageError);
