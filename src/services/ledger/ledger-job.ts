// The periodic ledger job of the `ledger` service: every LEDGER_INTERVAL_MS it records newly accepted
// orders (observer group), prunes the reconciliation sets past their retention, runs the full check,
// exports the gauges and advances the reconciliation alert (gap > 0 for RECONCILE_ALERT_LAG_MS).
// One pass at a time; stop() lets the pass in flight finish.
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { createPeriodicLoop } from '../../platform/periodic-loop';
import type { RedisClient } from '../../platform/redis';
import type { AcceptedObserver } from './accepted-observer';
import type { FullCheck, LedgerChecker } from './ledger-checker';
import { exportReconciliation, exportReport, recordCheckFailure } from './ledger-metrics';
import { nextAlertState, type AlertState } from './reconciliation';
import { pruneRecorded } from './reconciliation-counters';

export interface LedgerJobSettings {
  readonly intervalMs: number;
  readonly alertLagMs: number;
  readonly retentionMs: number;
  readonly reconNamespace: string;
}

export interface LedgerJobDeps {
  readonly redis: RedisClient;
  readonly checker: LedgerChecker;
  readonly observer: AcceptedObserver;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: LedgerJobSettings;
}

export interface LedgerSnapshot extends FullCheck {
  readonly alert: AlertState;
}

export interface LedgerJob {
  start(): void;
  stop(): Promise<void>;
  /** One pass now (passes never overlap); resolves with its result. */
  runOnce(): Promise<LedgerSnapshot>;
  /** The latest completed pass, if any. */
  last(): LedgerSnapshot | undefined;
}

export function createLedgerJob(deps: LedgerJobDeps): LedgerJob {
  const { redis, checker, observer, clock, logger, settings } = deps;
  let alert: AlertState = { gapSinceMs: null, alert: false };
  let latest: LedgerSnapshot | undefined;
  let wasClean = true;

  async function pass(): Promise<LedgerSnapshot> {
    try {
      await observer.pollOnce();
      await pruneRecorded(redis, clock.now() - settings.retentionMs, { namespace: settings.reconNamespace });
      const full = await checker.checkAll();
      const now = clock.now();
      alert = nextAlertState(alert, full.reconciliation.gap, now, settings.alertLagMs);
      exportReport(full.report, now);
      exportReconciliation(full.reconciliation, alert, now);
      if (!full.report.clean && wasClean) {
        logger.error({ breaches: full.report.breaches.slice(0, 20), total: full.report.breaches.length }, 'ledger breach');
      } else if (full.report.clean && !wasClean) logger.info('ledger clean again');
      wasClean = full.report.clean;
      latest = { ...full, alert };
      return latest;
    } catch (err) {
      recordCheckFailure();
      throw err;
    }
  }

  let pending: Promise<LedgerSnapshot> | undefined;
  const loop = createPeriodicLoop(
    async () => {
      pending = pass();
      await pending;
      return false;
    },
    { name: 'ledger-check', intervalMs: settings.intervalMs, clock, logger },
  );

  return {
    start: () => loop.start(),
    stop: () => loop.stop(),
    async runOnce() {
      await loop.runOnce();
      return pending!;
    },
    last: () => latest,
  };
}
