// Plain-text rendering of a ledger report and a reconciliation (CLI `make ledger`, logs).
import type { Reconciliation } from './reconciliation';
import type { LedgerReport } from './types';

const MAX_LISTED = 50;

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

const figure = (n: number | null): string => (n === null ? '-' : String(n));

function listed(title: string, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const more = ids.length > MAX_LISTED ? ` … and ${ids.length - MAX_LISTED} more` : '';
  return [`${title} (${ids.length}): ${ids.slice(0, MAX_LISTED).join(' ')}${more}`];
}

export function renderReport(r: LedgerReport): string {
  const out: string[] = [];
  out.push(
    `ledger ${r.checkedAt}  ${r.clean ? 'CLEAN' : `BREACH (${r.breaches.length})`}  ${r.drained ? 'drained' : 'in flight'}  ` +
      `orders checked: ${r.ordersChecked} since ${new Date(r.window.fromMs).toISOString()}`,
  );
  out.push('');
  out.push(
    ...table(
      ['sku', 'shard', 'redis', 'mysql', 'reserved', 'ordered', 'initial', 'unsynced', 'state'],
      r.items.map(it => [it.sku, String(it.shard), figure(it.redisStock), figure(it.mysqlStock), String(it.reserved), String(it.ordered), figure(it.initial), String(it.unsynced), it.state]),
      new Set([1, 2, 3, 4, 5, 6, 7]),
    ),
  );
  const b = r.backlog;
  out.push('');
  out.push(
    `backlog: stream entries ${b.streamEntries} · dead stream entries ${b.deadStreamEntries} · unsynced changes ${b.unsyncedChanges} · ` +
      `accepted not persisted ${b.acceptedNotPersisted.length} · dead-lettered orders ${b.deadLetteredOrders.length} · ` +
      `open dead letters ${b.openDeadLetters} · cancelled unreleased ${b.cancelledUnreleased} · released awaiting cancel ${b.releasedAwaitingCancel}`,
  );
  for (const s of b.streams) if ((s.lag ?? 1) + s.pending > 0) out.push(`  ${s.stream} [${s.group}] lag ${s.lag ?? '?'} pending ${s.pending}`);
  out.push(...listed('accepted, not persisted yet', b.acceptedNotPersisted));
  out.push(...listed('dead-lettered orders', b.deadLetteredOrders));
  if (r.breaches.length > 0) {
    out.push('');
    out.push(`breaches (${r.breaches.length}):`);
    for (const x of r.breaches.slice(0, 200)) {
      const who = [x.sku && `sku=${x.sku}`, x.orderId && `order=${x.orderId}`, x.userId && `user=${x.userId}`].filter(Boolean).join(' ');
      out.push(`  ${x.invariant.padEnd(22)} ${who}  ${x.detail}`);
    }
    if (r.breaches.length > 200) out.push(`  … and ${r.breaches.length - 200} more (--json lists all)`);
  }
  return out.join('\n');
}

export function renderReconciliation(r: Reconciliation): string {
  const out: string[] = [];
  out.push(`reconciliation ${new Date(r.fromMs).toISOString()} … ${new Date(r.toMs).toISOString()}  gap ${r.gap}  in flight ${r.inFlight.length}  dead-lettered ${r.deadLettered}`);
  out.push(
    ...table(
      ['minute', 'accepted', 'persisted', 'binlog'],
      r.minutes.map(m => [new Date(m.minute).toISOString().slice(0, 16) + 'Z', String(m.accepted), String(m.persisted), String(m.binlog)]),
      new Set([1, 2, 3]),
    ),
  );
  out.push(...listed('not persisted', r.notPersisted));
  out.push(...listed('deleted rows (binlog saw the insert)', r.deletedRows));
  out.push(...listed('not in binlog', r.notInBinlog));
  out.push(...listed('not accepted', r.notAccepted));
  return out.join('\n');
}
