// Ledger settings derived from the validated config (env is read only in platform/config.ts).
import type { Config } from '../../platform/config';
import { createStockKeys, type StockKeys } from '../productcatalog/stock';
import { ORDER_FORWARDER_GROUP, STOCK_WRITER_GROUP } from '../productcatalog/workers';
import type { LedgerSettings } from './ledger-checker';
import type { LedgerJobSettings } from './ledger-job';

export interface LedgerWiring {
  readonly keys: StockKeys;
  readonly checker: LedgerSettings;
  readonly job: LedgerJobSettings;
}

/** `namespace`: test key namespace of the stock and reconciliation keys ('' in production). */
export function ledgerSettings(config: Readonly<Config>, namespace = ''): LedgerWiring {
  return {
    keys: createStockKeys({ shards: config.inventory.shards, namespace }),
    checker: {
      windowMs: config.ledger.windowMs,
      graceMs: config.ledger.graceMs,
      recordTtlMs: config.inventory.recordTtlMs,
      createdTopic: config.orderCore.createdTopic,
      groups: { forwarder: ORDER_FORWARDER_GROUP, writer: STOCK_WRITER_GROUP },
      reconNamespace: namespace,
      binlogStage: config.ledger.binlogStage,
    },
    job: {
      intervalMs: config.ledger.intervalMs,
      alertLagMs: config.ledger.reconcileAlertLagMs,
      retentionMs: Math.max(config.ledger.reconcileRetentionMs, config.ledger.windowMs),
      reconNamespace: namespace,
    },
  };
}
