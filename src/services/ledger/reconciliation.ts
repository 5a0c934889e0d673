// Reconciliation of the three stages of an order (seed 000 part C), pure over id → time maps:
//   accepted  — the Reserve script wrote its order-created record (acceptance time),
//   persisted — its `orders` row exists,
//   binlog    — the CDC worker saw the row's INSERT.
// Every id is counted in the minute of its acceptance (or, when no acceptance is recorded, the stage's
// own time), so the three per-minute counts match once the pipeline drained, whatever each stage's lag.
// Ids missing at a stage are listed once they are older than the grace period (younger ones are in
// flight); a row the binlog saw inserted but which is gone now was deleted: reported at once.
// Scope: only ids this deployment accepted or holds a row for. The binlog set is fed by whichever CDC
// consumer shares the change topic, and RowChanged names no database, so on a server with several
// databases (tests, make run, a staging copy) it also holds other databases' inserts; an id neither
// accepted here nor persisted here is one of those (`foreignBinlog`), never a deleted row of ours.
export const MINUTE_MS = 60_000;

export interface StageMaps {
  readonly accepted: ReadonlyMap<string, number>;
  readonly persisted: ReadonlyMap<string, number>;
  /** null when the binlog stage is not part of this deployment (no CDC worker). */
  readonly binlog: ReadonlyMap<string, number> | null;
  /** Accepted orders whose creation message was dead-lettered (stock given back): a named fate, not a gap. */
  readonly deadLettered: ReadonlySet<string>;
}

export interface MinuteRow {
  /** Start of the minute, epoch ms. */
  readonly minute: number;
  readonly accepted: number;
  readonly persisted: number;
  readonly binlog: number;
}

export interface Reconciliation {
  readonly fromMs: number;
  readonly toMs: number;
  readonly minutes: readonly MinuteRow[];
  /** Accepted, older than the grace period, no row, not dead-lettered. */
  readonly notPersisted: readonly string[];
  /** Subset of notPersisted: the binlog saw the INSERT, so the row was deleted afterwards. */
  readonly deletedRows: readonly string[];
  /** Rows (older than the grace period) whose INSERT the binlog stage has not reported. */
  readonly notInBinlog: readonly string[];
  /** Rows without a recorded acceptance. */
  readonly notAccepted: readonly string[];
  /** Accepted ids younger than the grace period still without a row. */
  readonly inFlight: readonly string[];
  readonly deadLettered: number;
  /** Binlog inserts neither accepted nor persisted here: another database's rows (not judged). */
  readonly foreignBinlog: number;
  /** Ids missing at some stage (the alert condition is gap > 0 for longer than the configured lag). */
  readonly gap: number;
}

export interface ReconcileWindow {
  readonly fromMs: number;
  readonly toMs: number;
  readonly graceMs: number;
}

const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

export function reconcile(maps: StageMaps, w: ReconcileWindow): Reconciliation {
  const { accepted, persisted, binlog, deadLettered } = maps;
  const ids = new Set<string>([...accepted.keys(), ...persisted.keys()]);
  let foreignBinlog = 0;
  for (const id of binlog?.keys() ?? []) if (!ids.has(id)) foreignBinlog += 1;
  const rows = new Map<number, { accepted: number; persisted: number; binlog: number }>();
  const notPersisted: string[] = [];
  const deletedRows: string[] = [];
  const notInBinlog: string[] = [];
  const notAccepted: string[] = [];
  const inFlight: string[] = [];
  let dead = 0;
  const old = (at: number) => w.toMs - at >= w.graceMs;

  for (const id of [...ids].sort()) {
    const acceptedAt = accepted.get(id);
    const rowAt = persisted.get(id);
    const binlogAt = binlog?.get(id);
    const at = acceptedAt ?? rowAt!;
    if (at < w.fromMs || at >= w.toMs) continue;
    const m = minuteOf(at);
    const row = rows.get(m) ?? { accepted: 0, persisted: 0, binlog: 0 };
    if (acceptedAt !== undefined) row.accepted += 1;
    if (rowAt !== undefined) row.persisted += 1;
    if (binlogAt !== undefined) row.binlog += 1;
    rows.set(m, row);

    if (acceptedAt === undefined) notAccepted.push(id);
    if (rowAt === undefined && acceptedAt !== undefined) {
      if (deadLettered.has(id)) dead += 1;
      else if (binlogAt !== undefined) {
        deletedRows.push(id);
        notPersisted.push(id);
      } else if (old(acceptedAt)) notPersisted.push(id);
      else inFlight.push(id);
    }
    if (binlog && rowAt !== undefined && binlogAt === undefined && old(rowAt)) notInBinlog.push(id);
  }
  const minutes = [...rows].sort((a, b) => a[0] - b[0]).map(([minute, r]) => ({ minute, ...r }));
  const gap = new Set([...notPersisted, ...deletedRows, ...notInBinlog, ...notAccepted]).size;
  return { fromMs: w.fromMs, toMs: w.toMs, minutes, notPersisted, deletedRows, notInBinlog, notAccepted, inFlight, deadLettered: dead, foreignBinlog, gap };
}

export interface AlertState {
  /** Since when the gap has been above zero without a break (null: it is zero). */
  readonly gapSinceMs: number | null;
  readonly alert: boolean;
}

/** The alert fires when the gap stayed above zero for at least `lagMs`; one zero reading resets it. */
export function nextAlertState(prev: AlertState, gap: number, nowMs: number, lagMs: number): AlertState {
  if (gap <= 0) return { gapSinceMs: null, alert: false };
  const since = prev.gapSinceMs ?? nowMs;
  return { gapSinceMs: since, alert: nowMs - since >= lagMs };
}
