// The ledger service module (LEDGER_PORT, shop.v1.LedgerService) and the library other code uses:
// createLedgerChecker (check + waitForDrain), the report table, recordBinlogOrderInsert for the CDC worker.
// The module runs the periodic check job (gauges shop_ledger_*, shop_reconcile_*) and the accepted-order
// observer; it needs Redis and MySQL only. See DESIGN.md.
import { LedgerServiceService } from '../../gen/shop/v1/ledger';
import { createAdminGuard } from '../../platform/admin-auth';
import type { RunningService, ServiceModule } from '../registry';
import type { Runtime } from '../runtime';
import { serveGrpc, service } from '../serve';
import { createAcceptedObserver } from './accepted-observer';
import { createLedgerChecker } from './ledger-checker';
import { createLedgerJob } from './ledger-job';
import { createLedgerHandlers } from './server';
import { ledgerSettings } from './settings';

export { createLedgerChecker, type LedgerChecker, type LedgerCheckerDeps, type LedgerSettings, type CheckOptions, type FullCheck } from './ledger-checker';
export { createLedgerJob, type LedgerJob, type LedgerSnapshot } from './ledger-job';
export { createAcceptedObserver, LEDGER_OBSERVER_GROUP, type AcceptedObserver } from './accepted-observer';
export { recordBinlogOrderInsert, recordAcceptedOrders, reconKeys } from './reconciliation-counters';
export { reconcile, nextAlertState, type Reconciliation, type AlertState, type MinuteRow } from './reconciliation';
export { renderReport, renderReconciliation } from './report-table';
export { ledgerSettings } from './settings';
export type { Breach, LedgerReport, ItemLedger, Backlog, InvariantName } from './types';

export const LEDGER_SERVICE = 'ledger';

export const ledgerModule: ServiceModule = {
  name: LEDGER_SERVICE,
  summary: 'ledger: checks the order pipeline invariants and reconciles accepted / persisted / binlog orders (admin RPCs, shop_ledger_* gauges)',
  port: config => config.ports.ledger,
  async start(rt: Runtime): Promise<RunningService> {
    const logger = rt.logger.child({ service: LEDGER_SERVICE });
    const [redis, database] = await Promise.all([rt.redis(), rt.db()]);
    const wiring = ledgerSettings(rt.config);
    const checker = createLedgerChecker({ redis, db: database.db, keys: wiring.keys, settings: wiring.checker, clock: rt.clock, logger });
    const observer = createAcceptedObserver({ redis, keys: wiring.keys, reconNamespace: wiring.job.reconNamespace });
    const job = createLedgerJob({ redis, checker, observer, clock: rt.clock, logger: logger.child({ component: 'ledger-job' }), settings: wiring.job });
    if (rt.config.lifecycle.workersEnabled) {
      job.start();
      rt.shutdown.register(`${LEDGER_SERVICE}:job`, 'drain', () => job.stop());
    }
    const handlers = createLedgerHandlers({
      checker,
      admin: createAdminGuard(rt.config.admin.token),
      logger,
      alertState: () => job.last()?.alert ?? { gapSinceMs: null, alert: false },
      binlogStage: wiring.checker.binlogStage,
    });
    const served = await serveGrpc(rt, LEDGER_SERVICE, rt.config.ports.ledger, [service(LedgerServiceService, handlers)]);
    return { name: served.name, port: served.port };
  },
};
