// One snapshot for the operator page: stock per item (Redis vs MySQL), accepted/refused per second,
// backlogs, RocketMQ lag, dead letters, ledger verdict and breakers. Each part is read independently: a
// failing source leaves its part empty and names itself in `problems` instead of failing the page.
// Snapshots are reused for `ttlMs`, so ten open dashboards cost one set of reads per refresh.
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import { createRateTracker } from './counter-rates';
import type { DashboardSources, DeadLetterJson, ItemStock } from './dashboard-sources';
import type { Scraper } from './metrics-scraper';
import { summarizeMetrics, type BreakerView, type ConsumerLag, type StreamBacklog } from './metrics-summary';

export type LedgerVerdict = 'CLEAN' | 'BREACH' | 'UNKNOWN';

export interface DashboardSnapshot {
  readonly generatedAt: string;
  readonly items: ReadonlyArray<ItemStock & { readonly inSync: boolean }>;
  readonly orders: {
    readonly acceptedTotal: number;
    readonly refusedTotal: number;
    readonly acceptedPerSec: number;
    readonly refusedPerSec: number;
    readonly refusedByResult: Readonly<Record<string, number>>;
    readonly reservationsByOutcome: Readonly<Record<string, number>>;
  };
  readonly streams: { readonly backlogTotal: number; readonly deadEntries: number; readonly groups: readonly StreamBacklog[] };
  readonly rocketmq: { readonly forwarderLagMs: number | null; readonly consumers: readonly ConsumerLag[] };
  readonly deadLetters: { readonly open: number | null; readonly items: readonly DeadLetterJson[] };
  /** From the ledger job's metrics when one has checked; else Redis = MySQL + pending per item (GetStock). */
  readonly ledger: {
    readonly verdict: LedgerVerdict;
    readonly source: 'ledger' | 'stock-check' | 'none';
    readonly breaches: Readonly<Record<string, number>>;
    readonly checkedAt: string | null;
  };
  readonly breakers: readonly BreakerView[];
  readonly targets: ReadonlyArray<{ readonly target: string; readonly up: boolean; readonly error?: string }>;
  /** Parts that could not be read this time, e.g. "dead letters: order unavailable". */
  readonly problems: readonly string[];
}

export interface DashboardDepsResolved {
  readonly sources: DashboardSources;
  readonly scrape: Scraper;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly ttlMs: number;
  /** Dead letters listed on the page (the count covers all). */
  readonly deadLetterPageSize?: number;
}

export interface Dashboard {
  snapshot(): Promise<DashboardSnapshot>;
}

/** Redis = MySQL + pending once every change is known; anything else is drift. */
const inSync = (i: ItemStock): boolean => !i.warmed || i.redisStock === i.mysqlStock + i.pendingDelta;

/** A short cause for the page: the typed error's message or the gRPC status details, never a stack. */
function cause(err: unknown): string {
  if (err instanceof Error) {
    const details = (err as { details?: unknown }).details;
    return typeof details === 'string' && details !== '' ? details : err.message;
  }
  return String(err);
}

export function createDashboard(deps: DashboardDepsResolved): Dashboard {
  const rates = createRateTracker();
  let cached: { at: number; value: Promise<DashboardSnapshot> } | undefined;

  async function build(): Promise<DashboardSnapshot> {
    const problems: string[] = [];
    const part = async <T>(name: string, read: () => Promise<T>, fallback: T): Promise<T> => {
      try {
        return await read();
      } catch (err) {
        deps.logger.warn({ part: name, reason: cause(err) }, 'dashboard part unavailable');
        problems.push(`${name}: ${cause(err)}`);
        return fallback;
      }
    };
    const [scrapes, items, dead] = await Promise.all([
      deps.scrape(),
      part('stock', () => deps.sources.itemStock(), [] as ItemStock[]),
      part('dead letters', () => deps.sources.deadLetters(deps.deadLetterPageSize ?? 20), undefined),
    ]);
    const at = deps.clock.now();
    const m = summarizeMetrics(scrapes);
    const perSec = rates.observe({ accepted: m.counters.accepted, refused: m.counters.refused }, at);
    for (const t of scrapes) if (!t.up) problems.push(`metrics ${t.target}: ${t.error ?? 'down'}`);

    let ledger: DashboardSnapshot['ledger'];
    if (m.ledger) {
      ledger = { verdict: m.ledger.clean ? 'CLEAN' : 'BREACH', source: 'ledger', breaches: m.ledger.breaches, checkedAt: m.ledger.checkedAt.toISOString() };
    } else if (items.some(i => i.warmed)) {
      const drifting = items.filter(i => !inSync(i)).length;
      const breaches: Record<string, number> = drifting === 0 ? {} : { 'redis = mysql + pending': drifting };
      ledger = { verdict: drifting === 0 ? 'CLEAN' : 'BREACH', source: 'stock-check', breaches, checkedAt: new Date(at).toISOString() };
    } else {
      ledger = { verdict: 'UNKNOWN', source: 'none', breaches: {}, checkedAt: null };
    }

    return {
      generatedAt: new Date(at).toISOString(),
      items: items.map(i => ({ ...i, inSync: inSync(i) })),
      orders: {
        acceptedTotal: m.counters.accepted,
        refusedTotal: m.counters.refused,
        acceptedPerSec: perSec.accepted ?? 0,
        refusedPerSec: perSec.refused ?? 0,
        refusedByResult: m.refusedByResult,
        reservationsByOutcome: m.reservationsByOutcome,
      },
      streams: { backlogTotal: m.streamBacklogTotal, deadEntries: m.deadStreamEntries, groups: m.streams },
      rocketmq: { forwarderLagMs: m.forwarderLagMs ?? null, consumers: m.consumers },
      deadLetters: { open: dead?.pending ?? m.openDeadLetters ?? null, items: dead?.items ?? [] },
      ledger,
      breakers: m.breakers,
      targets: scrapes.map(t => ({ target: t.target, up: t.up, ...(t.error ? { error: t.error } : {}) })),
      problems,
    };
  }

  return {
    snapshot() {
      const now = deps.clock.now();
      if (cached && now - cached.at < deps.ttlMs) return cached.value;
      const value = build();
      cached = { at: now, value };
      // A failed build is not reused.
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
      return value;
    },
  };
}
