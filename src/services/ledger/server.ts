// shop.v1.LedgerService handlers: admin credential, request checks and the wire mapping of the ledger
// report and the reconciliation. Store failures become UNAVAILABLE (logged here, never echoed).
import {
  ItemLedgerState,
  type Breach as WireBreach,
  type ItemLedger as WireItem,
  type LedgerReport as WireReport,
  type LedgerServiceService,
  type Reconciliation as WireReconciliation,
} from '../../gen/shop/v1/ledger';
import type { AdminGuard } from '../../platform/admin-auth';
import { AppError, InvalidArgumentError, UnavailableError } from '../../platform/errors';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import type { Logger } from '../../platform/logger';
import { SKU_RE } from '../productcatalog/stock/validation';
import type { LedgerChecker } from './ledger-checker';
import type { AlertState, Reconciliation } from './reconciliation';
import type { ItemLedger, LedgerReport } from './types';

/** Lists on the wire are capped; totals say how many there were. */
export const WIRE_LIST_LIMIT = 1000;
const MAX_PRODUCT_IDS = 1000;

const STATE_WIRE: Record<ItemLedger['state'], ItemLedgerState> = {
  CLEAN: ItemLedgerState.ITEM_LEDGER_STATE_CLEAN,
  IN_FLIGHT: ItemLedgerState.ITEM_LEDGER_STATE_IN_FLIGHT,
  BREACH: ItemLedgerState.ITEM_LEDGER_STATE_BREACH,
  NOT_WARMED: ItemLedgerState.ITEM_LEDGER_STATE_NOT_WARMED,
};

const cap = <T>(list: readonly T[]): T[] => list.slice(0, WIRE_LIST_LIMIT);

function itemToWire(it: ItemLedger): WireItem {
  return {
    productId: it.sku,
    shard: it.shard,
    warmed: it.redisStock !== null,
    redisStock: BigInt(it.redisStock ?? 0),
    inMysql: it.mysqlStock !== null,
    mysqlStock: BigInt(it.mysqlStock ?? 0),
    reserved: BigInt(it.reserved),
    ordered: BigInt(it.ordered),
    initial: BigInt(it.initial ?? 0),
    unsynced: BigInt(it.unsynced),
    state: STATE_WIRE[it.state],
  };
}

export function reportToWire(r: LedgerReport): WireReport {
  const b = r.backlog;
  const breaches: WireBreach[] = cap(r.breaches).map(x => ({
    invariant: x.invariant,
    productId: x.sku ?? '',
    orderId: x.orderId ?? '',
    userId: x.userId ?? '',
    detail: x.detail,
  }));
  return {
    clean: r.clean,
    drained: r.drained,
    checkedAt: new Date(r.checkedAt),
    items: r.items.map(itemToWire),
    breaches,
    breachesTotal: BigInt(r.breaches.length),
    ordersChecked: BigInt(r.ordersChecked),
    windowStart: new Date(r.window.fromMs),
    backlog: {
      streams: b.streams.map(s => ({ stream: s.stream, group: s.group, lag: BigInt(s.lag ?? -1), pending: BigInt(s.pending) })),
      streamEntries: BigInt(b.streamEntries),
      deadStreamEntries: BigInt(b.deadStreamEntries),
      unsyncedChanges: BigInt(b.unsyncedChanges),
      acceptedNotPersisted: cap(b.acceptedNotPersisted),
      acceptedNotPersistedTotal: BigInt(b.acceptedNotPersisted.length),
      deadLetteredOrders: cap(b.deadLetteredOrders),
      deadLetteredOrdersTotal: BigInt(b.deadLetteredOrders.length),
      openDeadLetters: BigInt(b.openDeadLetters),
      cancelledUnreleased: BigInt(b.cancelledUnreleased),
      releasedAwaitingCancel: BigInt(b.releasedAwaitingCancel),
    },
  };
}

export function reconciliationToWire(r: Reconciliation, alert: AlertState, binlogStage: boolean): WireReconciliation {
  return {
    windowStart: new Date(r.fromMs),
    windowEnd: new Date(r.toMs),
    minutes: r.minutes.map(m => ({ minute: new Date(m.minute), accepted: BigInt(m.accepted), persisted: BigInt(m.persisted), binlog: BigInt(m.binlog) })),
    notPersisted: cap(r.notPersisted),
    deletedRows: cap(r.deletedRows),
    notInBinlog: cap(r.notInBinlog),
    notAccepted: cap(r.notAccepted),
    inFlight: BigInt(r.inFlight.length),
    deadLettered: BigInt(r.deadLettered),
    gap: BigInt(r.gap),
    alert: alert.alert,
    gapSince: alert.gapSinceMs === null ? undefined : new Date(alert.gapSinceMs),
    binlogStage,
  };
}

export function checkProductIds(ids: readonly string[]): string[] {
  if (ids.length > MAX_PRODUCT_IDS) throw new InvalidArgumentError('product_ids', `at most ${MAX_PRODUCT_IDS} ids`);
  ids.forEach((id, i) => {
    if (!SKU_RE.test(id)) throw new InvalidArgumentError(`product_ids[${i}]`, 'is not a product id');
  });
  return [...new Set(ids)];
}

export interface LedgerHandlerDeps {
  readonly checker: LedgerChecker;
  readonly admin: AdminGuard;
  readonly logger: Logger;
  /** The job's alert state (the alert needs the history of passes; a fresh call cannot tell). */
  readonly alertState: () => AlertState;
  readonly binlogStage: boolean;
}

export function createLedgerHandlers(deps: LedgerHandlerDeps): AsyncServiceImpl<typeof LedgerServiceService> {
  const { checker, admin, logger } = deps;
  async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AppError) throw err;
      logger.warn({ err }, `ledger ${what} failed`);
      throw new UnavailableError('the ledger could not read its stores; retry later');
    }
  }
  return {
    async check(req, ctx) {
      admin.check(ctx.metadata);
      const skus = checkProductIds(req.productIds);
      return reportToWire(await guarded('check', () => checker.check(skus.length > 0 ? { skus } : {})));
    },
    async getReconciliation(_req, ctx) {
      admin.check(ctx.metadata);
      const r = await guarded('reconciliation', () => checker.reconciliation());
      return reconciliationToWire(r, deps.alertState(), deps.binlogStage);
    },
  };
}
