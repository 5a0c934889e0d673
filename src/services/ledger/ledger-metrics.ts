// The ledger's gauges, set after every periodic check (not at scrape time: a check reads every item and
// the window's orders, too much for a scrape). Prometheus alerts on them (helm PrometheusRule).
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../../platform/metrics/registry';
import type { AlertState, Reconciliation } from './reconciliation';
import { MINUTE_MS } from './reconciliation';
import { INVARIANTS, type LedgerReport } from './types';

const registers = [metricsRegistry];

const clean = new Gauge({ name: 'shop_ledger_clean', help: '1 when the last ledger check found no breach, else 0', registers });
const drained = new Gauge({ name: 'shop_ledger_drained', help: '1 when the pipeline had caught up at the last check (nothing in flight)', registers });
const breaches = new Gauge({ name: 'shop_ledger_breaches', help: 'Breaches found by the last ledger check, per invariant', labelNames: ['invariant'], registers });
const drift = new Gauge({ name: 'shop_ledger_stock_drift', help: 'Redis stock minus MySQL stock per warmed item at the last check (non-zero while changes wait for the write-behind)', labelNames: ['sku'], registers });
const backlog = new Gauge({ name: 'shop_ledger_backlog', help: 'Pipeline backlog at the last ledger check, by kind', labelNames: ['kind'], registers });
const lastCheck = new Gauge({ name: 'shop_ledger_last_check_timestamp_seconds', help: 'When the last ledger check finished (unix seconds)', registers });
const failures = new Counter({ name: 'shop_ledger_check_failures_total', help: 'Ledger checks that could not run (a store unreachable)', registers });

const minuteOrders = new Gauge({ name: 'shop_reconcile_minute_orders', help: 'Orders of the last complete minute (by acceptance time) seen at each stage: accepted, persisted, binlog', labelNames: ['stage'], registers });
const windowOrders = new Gauge({ name: 'shop_reconcile_window_orders', help: 'Orders of the reconciliation window seen at each stage', labelNames: ['stage'], registers });
const missing = new Gauge({ name: 'shop_reconcile_missing', help: 'Order ids missing at a stage past the grace period: persisted (incl. deleted rows), binlog, accepted', labelNames: ['stage'], registers });
const gap = new Gauge({ name: 'shop_reconcile_gap', help: 'Order ids missing at some stage (0 once every stage saw every order)', registers });
const alert = new Gauge({ name: 'shop_reconcile_alert', help: '1 when the reconciliation gap has stayed above zero longer than RECONCILE_ALERT_LAG_MS', registers });

export function recordCheckFailure(): void {
  failures.inc();
}

export function exportReport(report: LedgerReport, nowMs: number): void {
  clean.set(report.clean ? 1 : 0);
  drained.set(report.drained ? 1 : 0);
  const counts = new Map<string, number>(INVARIANTS.map(i => [i, 0]));
  for (const b of report.breaches) counts.set(b.invariant, (counts.get(b.invariant) ?? 0) + 1);
  for (const [invariant, n] of counts) breaches.set({ invariant }, n);
  drift.reset();
  for (const it of report.items) if (it.redisStock !== null && it.mysqlStock !== null) drift.set({ sku: it.sku }, it.redisStock - it.mysqlStock);
  const b = report.backlog;
  const kinds: Record<string, number> = {
    stream_entries: b.streamEntries,
    dead_stream_entries: b.deadStreamEntries,
    unsynced_changes: b.unsyncedChanges,
    accepted_not_persisted: b.acceptedNotPersisted.length,
    dead_lettered_orders: b.deadLetteredOrders.length,
    open_dead_letters: b.openDeadLetters,
    cancelled_unreleased: b.cancelledUnreleased,
    released_awaiting_cancel: b.releasedAwaitingCancel,
  };
  for (const [kind, n] of Object.entries(kinds)) backlog.set({ kind }, n);
  lastCheck.set(nowMs / 1000);
}

export function exportReconciliation(r: Reconciliation, state: AlertState, nowMs: number): void {
  const lastMinute = Math.floor(nowMs / MINUTE_MS) * MINUTE_MS - MINUTE_MS;
  const row = r.minutes.find(m => m.minute === lastMinute) ?? { accepted: 0, persisted: 0, binlog: 0 };
  const totals = r.minutes.reduce((t, m) => ({ accepted: t.accepted + m.accepted, persisted: t.persisted + m.persisted, binlog: t.binlog + m.binlog }), { accepted: 0, persisted: 0, binlog: 0 });
  for (const stage of ['accepted', 'persisted', 'binlog'] as const) {
    minuteOrders.set({ stage }, row[stage]);
    windowOrders.set({ stage }, totals[stage]);
  }
  missing.set({ stage: 'persisted' }, r.notPersisted.length);
  missing.set({ stage: 'binlog' }, r.notInBinlog.length);
  missing.set({ stage: 'accepted' }, r.notAccepted.length);
  gap.set(r.gap);
  alert.set(state.alert ? 1 : 0);
}
