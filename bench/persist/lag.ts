// End-to-end persistence lag through the real pipeline: Reserve at a fixed rate (open loop, so a slow
// pipeline cannot slow the arrivals down), then, per order, persisted_at (MySQL clock at INSERT) minus
// reserved_at (when Redis accepted the reservation) — both taken on this host, in the order's own row.
import { readFileSync } from 'node:fs';
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
  /** p50 of each hop: Redis accept → forwarder send (born), born → consumer receive, receive → row INSERT. */
  readonly hopsP50Ms: { readonly forward: number; readonly broker: number; readonly insert: number };
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
  /** Written by the pipeline server's consumer: order id, born ms, received ms per line. */
  readonly hopFile: string;
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
    'SELECT order_id AS id, reserved_at AS reserved, persisted_at AS persisted FROM orders WHERE order_id LIKE ?',
    [like],
  );
  const hops = new Map<string, { born: number; received: number }>();
  for (const line of readFileSync(opts.hopFile, 'utf8').split('\n')) {
    const [id, born, received] = line.split('\t');
    if (id && born && received && !hops.has(id)) hops.set(id, { born: Number(born), received: Number(received) });
  }
  const hist = createHistogram();
  const forward = createHistogram();
  const broker = createHistogram();
  const insert = createHistogram();
  const us = (ms: number) => Math.max(0, Math.round(ms * 1000));
  for (const r of lags as Array<{ id: string; reserved: Date; persisted: Date }>) {
    const reserved = r.reserved.getTime();
    const persisted = r.persisted.getTime();
    hist.record(us(persisted - reserved));
    const h = hops.get(r.id);
    if (!h) continue;
    forward.record(us(h.born - reserved));
    broker.record(us(h.received - h.born));
    insert.record(us(persisted - h.received));
  }
  return {
    rate: opts.rate,
    achievedRate: total / Math.max(startedIn / 1000, interval / 1000),
    orders: ok,
    errors: total - ok,
    p50Ms: hist.percentile(50) / 1000,
    p99Ms: hist.percentile(99) / 1000,
    maxMs: hist.snapshot().max / 1000,
    hopsP50Ms: { forward: forward.percentile(50) / 1000, broker: broker.percentile(50) / 1000, insert: insert.percentile(50) / 1000 },
    load1: l1,
  };
}
