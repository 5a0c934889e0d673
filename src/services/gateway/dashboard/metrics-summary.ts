// What the dashboard reads from the services' own Prometheus metrics (names from src/platform/metrics/,
// the flash-sale handlers and the ledger job): Buy decisions, reservations, stream backlogs, RocketMQ
// lag, dead letters, breaker states and the ledger verdict. Pure: scraped series in, numbers out.
import type { TargetScrape } from './metrics-scraper';
import { select, sum, type Series } from './prometheus-text';

export const ACCEPTED_RESULT = 'BUY_RESULT_ACCEPTED';
/** Reserve outcomes that are not a refusal (a DUPLICATE replays an earlier answer). */
const RESERVATION_NOT_REFUSED = new Set(['RESERVED', 'DUPLICATE']);
const BREAKER_STATES = ['closed', 'halfOpen', 'open'] as const;
export type BreakerStateName = (typeof BREAKER_STATES)[number];

export interface StreamBacklog {
  readonly stream: string;
  readonly group: string;
  readonly lag: number;
  readonly pending: number;
}

export interface ConsumerLag {
  readonly topic: string;
  readonly group: string;
  readonly lagMs: number;
}

export interface BreakerView {
  readonly target: string;
  readonly name: string;
  readonly state: BreakerStateName;
}

export interface LedgerMetrics {
  readonly clean: boolean;
  readonly breaches: Readonly<Record<string, number>>;
  /** When the ledger job's last check finished. */
  readonly checkedAt: Date;
}

export interface MetricsSummary {
  /** Counter totals the rates are computed from: accepted = orders placed (all sources), refused = sum of refusedByResult. */
  readonly counters: { readonly accepted: number; readonly refused: number };
  readonly refusedByResult: Readonly<Record<string, number>>;
  readonly reservationsByOutcome: Readonly<Record<string, number>>;
  readonly streams: readonly StreamBacklog[];
  readonly streamBacklogTotal: number;
  readonly deadStreamEntries: number;
  /** Age of the oldest order not yet relayed to RocketMQ (max over processes); undefined when no forwarder reports. */
  readonly forwarderLagMs: number | undefined;
  readonly consumers: readonly ConsumerLag[];
  /** dead_letters rows not replayed, by consumer group (the order service's gauge). */
  readonly openDeadLetters: number | undefined;
  readonly breakers: readonly BreakerView[];
  readonly ledger: LedgerMetrics | undefined;
}

const byLabel = (series: readonly Series[], label: string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const s of series) {
    const key = s.labels[label] ?? '';
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
};

function streams(all: readonly Series[]): StreamBacklog[] {
  const map = new Map<string, { stream: string; group: string; lag: number; pending: number }>();
  for (const s of select(all, 'app_stream_backlog')) {
    const stream = s.labels.stream ?? '';
    const group = s.labels.group ?? '';
    const key = `${stream}\u0000${group}`;
    const row = map.get(key) ?? { stream, group, lag: 0, pending: 0 };
    if (s.labels.kind === 'lag') row.lag += s.value;
    else if (s.labels.kind === 'pending') row.pending += s.value;
    map.set(key, row);
  }
  return [...map.values()].sort((a, b) => a.stream.localeCompare(b.stream) || a.group.localeCompare(b.group));
}

function consumers(all: readonly Series[]): ConsumerLag[] {
  const map = new Map<string, ConsumerLag>();
  for (const s of select(all, 'rocketmq_consumer_lag_ms')) {
    const topic = s.labels.topic ?? '';
    const group = s.labels.group ?? '';
    const key = `${topic}\u0000${group}`;
    const lagMs = Math.max(map.get(key)?.lagMs ?? 0, s.value);
    map.set(key, { topic, group, lagMs });
  }
  return [...map.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.group.localeCompare(b.group));
}

function breakers(scrapes: readonly TargetScrape[]): BreakerView[] {
  const out: BreakerView[] = [];
  for (const t of scrapes) {
    for (const s of select(t.series, 'circuit_breaker_state')) {
      out.push({ target: t.target, name: s.labels.name ?? '', state: BREAKER_STATES[s.value] ?? 'open' });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.target.localeCompare(b.target));
}

/** The ledger job's verdict; undefined while no ledger job has finished a check (its gauges read 0 until then). */
function ledger(all: readonly Series[]): LedgerMetrics | undefined {
  const clean = select(all, 'shop_ledger_clean');
  const last = Math.max(0, ...select(all, 'shop_ledger_last_check_timestamp_seconds').map(s => s.value));
  if (clean.length === 0 || last <= 0) return undefined;
  const breaches: Record<string, number> = {};
  for (const [invariant, n] of Object.entries(byLabel(select(all, 'shop_ledger_breaches'), 'invariant'))) {
    if (n > 0) breaches[invariant] = n;
  }
  return { clean: clean.every(s => s.value === 1), breaches, checkedAt: new Date(last * 1000) };
}

export function summarizeMetrics(scrapes: readonly TargetScrape[]): MetricsSummary {
  const all = scrapes.flatMap(t => t.series);
  const buyResults = select(all, 'flashsale_buy_results_total');
  const buys = byLabel(buyResults, 'result');
  const reservations = byLabel(select(all, 'app_reservations_total'), 'outcome');
  // Refusals by reason: the flash-sale Buy decisions when that counter is exported, else the stock
  // refusals InventoryService answered (every Reserve is counted there).
  const refusedByResult: Record<string, number> = {};
  if (buyResults.length > 0) {
    for (const [result, n] of Object.entries(buys)) {
      if (result !== ACCEPTED_RESULT) refusedByResult[result.replace(/^BUY_RESULT_/, '')] = n;
    }
  } else {
    for (const [outcome, n] of Object.entries(reservations)) {
      if (!RESERVATION_NOT_REFUSED.has(outcome)) refusedByResult[outcome] = n;
    }
  }
  // Accepted orders: app_order_placed_total (flash-sale Buys and checkouts), else the Buy counter.
  const placed = sum(all, 'app_order_placed_total');
  const streamRows = streams(all);
  const lags = select(all, 'app_forwarder_lag_ms');
  const openDead = select(all, 'app_dead_letters', { state: 'open' });
  return {
    counters: {
      accepted: placed ?? buys[ACCEPTED_RESULT] ?? 0,
      refused: Object.values(refusedByResult).reduce((a, b) => a + b, 0),
    },
    refusedByResult,
    reservationsByOutcome: reservations,
    streams: streamRows,
    streamBacklogTotal: streamRows.reduce((n, r) => n + r.lag + r.pending, 0),
    deadStreamEntries: sum(all, 'app_dead_stream_entries') ?? 0,
    forwarderLagMs: lags.length === 0 ? undefined : Math.max(...lags.map(s => s.value)),
    consumers: consumers(all),
    openDeadLetters: openDead.length === 0 ? undefined : openDead.reduce((n, s) => n + s.value, 0),
    breakers: breakers(scrapes),
    ledger: ledger(all),
  };
}
