// `make ledger`: checks the invariants of the order pipeline (ARCHITECTURE.md §5) across Redis, MySQL
// and the backlogs, prints a table (or the LedgerReport JSON with --json) and the per-minute
// reconciliation (--reconcile). Read-only; safe during a sale. See src/services/ledger/DESIGN.md.
// Exit: 0 clean, 1 at least one breach (or not drained within --wait-drain), 2 could not check.
import { parseArgs } from 'node:util';
import { systemClock } from '../src/platform/clock';
import { createLedgerChecker, ledgerSettings, renderReconciliation, renderReport } from '../src/services/ledger';
import { checkProductIds } from '../src/services/ledger/server';
import { runCli, withStoreClients } from './lib/cli';

const USAGE =
  'usage: ledger [--json] [--wait-drain <ms>] [--sku <product id> ...] [--reconcile] [--namespace <test key namespace>]\n' +
  'exit: 0 clean, 1 breach (or not drained within --wait-drain), 2 could not check';

class UsageError extends Error {}

function parseCli(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      json: { type: 'boolean', default: false },
      'wait-drain': { type: 'string' },
      sku: { type: 'string', multiple: true, default: [] },
      reconcile: { type: 'boolean', default: false },
      namespace: { type: 'string', default: '' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  let waitDrainMs: number | null = null;
  if (values['wait-drain'] !== undefined) {
    waitDrainMs = Number(values['wait-drain']);
    if (!/^\d+$/.test(values['wait-drain']) || !Number.isSafeInteger(waitDrainMs)) throw new UsageError(`--wait-drain takes milliseconds (a whole number)\n${USAGE}`);
  }
  let skus: string[];
  try {
    skus = checkProductIds(values.sku ?? []);
  } catch (err) {
    throw new UsageError(`--sku: ${(err as Error).message}\n${USAGE}`);
  }
  return { help: values.help === true, json: values.json === true, waitDrainMs, skus, reconcile: values.reconcile === true, namespace: values.namespace ?? '' };
}

async function main(): Promise<number> {
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    console.log(USAGE);
    return 0;
  }
  return withStoreClients('ledger', async ({ config, database, redis, logger }) => {
    const wiring = ledgerSettings(config, cli.namespace);
    const checker = createLedgerChecker({ redis, db: database.db, keys: wiring.keys, settings: wiring.checker, clock: systemClock, logger });
    const opts = cli.skus.length > 0 ? { skus: cli.skus } : {};
    let drainedInTime = true;
    if (cli.waitDrainMs !== null) drainedInTime = await checker.waitForDrain(cli.waitDrainMs, opts);
    const { report, reconciliation } = await checker.checkAll(opts);
    if (cli.json) {
      console.log(JSON.stringify(cli.reconcile ? { ...report, reconciliation } : report, null, 2));
    } else {
      console.log(renderReport(report));
      if (cli.reconcile) console.log(`\n${renderReconciliation(reconciliation)}`);
      if (!drainedInTime) console.log(`\nnot drained within ${cli.waitDrainMs} ms`);
    }
    return report.clean && drainedInTime ? 0 : 1;
  });
}

runCli(main, err => err instanceof UsageError);
