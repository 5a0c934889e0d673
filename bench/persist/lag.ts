// End-to-end persistence lag through the real pipeline: Reserve at a fixed rate (open loop, so a slow
// pipeline cannot slow the arrivals down), then, per order, persisted_at (MySQL clock at INSERT) minus
// reserved_at (when Redis accepted the reservation) — both taken on this host, in the order's own row.
import { ReserveOutcome, type InventoryServiceClient } from '../../src/gen/shop/v1/inventory';
import type { Database } from '../../src/platform/db';
import { unary } from '../../src/platform/grpc-client';
import { createHistogram } from '../lib/histogram';
import { load1 } from '../lib/machine';
import { benchDraft } from './orders';

export interface LagResult {
  readonly rate: number;
  /** Reservations per second actually started (the open loop may lag on a busy box). */
  readonly achievedRate: number;
  readonly orders: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly load1: number;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

export async function lagPhase(opts: {
  readonly client: InventoryServiceClient;
  readonly database: Database;
  readonly sku: string;
  readonly prefix: string;
  readonly rate: number;
  readonly durationMs: number;
}): Promise<LagResult> {
  const reserve = unary(opts.client, 'reserve', { defaultDeadlineMs: 30_000 });
  const total = Math.max(1, Math.round((opts.rate * opts.durationMs) / 1000));
  const interval = 1000 / opts.rate;
  const l1 = load1();
  const start = Date.now();
  const calls: Array<Promise<boolean>> = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * interval;
    const wait = due - Date.now();
    if (wait > 1) await sleep(wait);
    const draft = benchDraft(`${opts.prefix}${i}`, i, Date.now(), opts.sku);
    calls.push(reserve({ order: draft }).then(r => r.outcome === ReserveOutcome.RESERVE_OUTCOME_RESERVED, () => false));
  }
  const startedIn = Date.now() - start;
  const ok = (await Promise.all(calls)).filter(Boolean).length;

  const like = `${opts.prefix}%`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const [rows] = await opts.database.pool.query('SELECT COUNT(*) AS n FROM orders WHERE order_id LIKE ?', [like]);
    const n = Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
    if (n >= ok) break;
    if (Date.now() > deadline) throw new Error(`lag phase: ${n}/${ok} order rows after 120 s`);
    await sleep(50);
  }
  const [lags] = await opts.database.pool.query(
    'SELECT TIMESTAMPDIFF(MICROSECOND, reserved_at, persisted_at) AS us FROM orders WHERE order_id LIKE ?',
    [like],
  );
  const hist = createHistogram();
  for (const r of lags as Array<{ us: number | string | null }>) hist.record(Math.max(0, Number(r.us ?? 0)));
  return {
    rate: opts.rate,
    achievedRate: total / Math.max(startedIn / 1000, interval / 1000),
    orders: ok,
    errors: total - ok,
    p50Ms: hist.percentile(50) / 1000,
    p99Ms: hist.percentile(99) / 1000,
    maxMs: hist.snapshot().max / 1000,
    load1: l1,
  };
}
