// The sale's console summary and its BENCHMARKS.md section ("sale").
import type { LoadResult } from '../lib/load-loop';
import type { MachineInfo } from '../lib/machine';
import { consoleTable, fmt, fmtInt, markdownTable, type Cell } from '../lib/markdown';
import type { Baselines } from './baselines';
import type { CpuSpent } from './cpu-usage';
import type { LedgerVerdict } from './ledger-verdict';
import type { SaleParams } from './params';
import type { SaleRunResult } from './run-sale';

export interface SaleReport {
  readonly params: SaleParams;
  readonly runId: string;
  readonly skus: readonly string[];
  /** What served the sale: "own checkout (window 15 s) + make run services" or "make run". */
  readonly target: string;
  /** The payment window the orders got (from the first ACCEPTED reply), ms. */
  readonly paymentWindowMs: number;
  readonly sale: SaleRunResult;
  readonly baselines?: Baselines;
  readonly ledger: LedgerVerdict;
  readonly machine: MachineInfo;
  readonly loadBefore: number;
  readonly loadAfter: number;
  /** CPU seconds per process from the first attempt until every order was settled (Linux only). */
  readonly cpu?: readonly CpuSpent[];
}

const ms = (us: number) => us / 1000;

function figures(r: SaleReport): Cell[][] {
  const { sale, params } = r;
  const t = sale.tally;
  const settle = t.settlements();
  const buys = t.buyAnswers.total();
  const rows: Cell[][] = [
    ['attempts (IssueToken → Buy)', fmtInt(t.attempts)],
    ...t.tokenRefusals.entries().map(([k, n]): Cell[] => [`  IssueToken refused: ${k}`, fmtInt(n)]),
    ...t.buyAnswers.entries().map(([k, n]): Cell[] => [`  Buy ${k === 'ACCEPTED' ? 'accepted' : `refused: ${k}`}`, fmtInt(n)]),
    ['PlaceOrder ok / refused', `${fmtInt(t.placeAnswers.get('OK'))} / ${fmtInt(t.placeAnswers.total() - t.placeAnswers.get('OK'))}`],
    ...t.placeAnswers.entries().filter(([k]) => k !== 'OK').map(([k, n]): Cell[] => [`  PlaceOrder refused: ${k}`, fmtInt(n)]),
    ['Buy p50 / p99', `${fmt(ms(sale.buyLatencyUs.percentile(50)))} ms / ${fmt(ms(sale.buyLatencyUs.percentile(99)))} ms`],
    ['Buy answers per second (buying phase)', fmtInt(buys / (sale.buyingMs / 1000))],
    ['accepted Buy/s until sold out', `${fmtInt(sale.acceptedPerSec)}${Number.isFinite(sale.sellOutMs) ? ` (${fmtInt(params.units * params.items)} units in ${fmt(sale.sellOutMs / 1000)} s)` : ' (never sold out)'}`],
    ['PlaceOrder p50 / p99', `${fmt(ms(sale.placeLatencyUs.percentile(50)))} ms / ${fmt(ms(sale.placeLatencyUs.percentile(99)))} ms`],
    ['paid', fmtInt(settle.get('paid'))],
    ['cancelled by payment timeout', fmtInt(settle.get('cancelled-by-timeout'))],
    ...(['cancelled-by-buyer', 'pay-refused', 'creation-failed', 'unsettled'] as const)
      .filter(k => settle.get(k) > 0)
      .map((k): Cell[] => [`  ${k}`, fmtInt(settle.get(k))]),
    ['drain: MySQL holds every accepted order', sale.drain.missing.length === 0 ? `yes, ${fmtInt(sale.drain.drainMs)} ms after the buying phase` : `NO: ${sale.drain.missing.length} missing`],
    ['drain time: sell-out burst in MySQL after its last reservation', `${fmtInt(sale.burstLag.drainAfterLastReservationMs)} ms (${fmtInt(sale.burstLag.rows)} orders)`],
    ['write-behind lag (reserved → row) p50 / p99 / max', `${fmtInt(sale.lag.p50Ms)} / ${fmtInt(sale.lag.p99Ms)} / ${fmtInt(sale.lag.maxMs)} ms (${fmtInt(sale.lag.rows)} orders)`],
    ['every order paid or cancelled', `${fmt(sale.settleMs / 1000, 1)} s after the buying phase`],
    ['Redis stock left', r.skus.map(s => fmtInt(sale.remaining.get(s) ?? NaN)).join(', ')],
    ['simulator checks', sale.breaches.length === 0 ? 'OK' : sale.breaches.map(b => `${b.invariant}: ${b.detail}`).join('; ')],
    ['ledger', r.ledger.verdict === 'clean' ? 'CLEAN' : `${r.ledger.verdict.toUpperCase()}${r.ledger.note ? `: ${r.ledger.note}` : ''}`],
  ];
  if (r.cpu && r.cpu.length > 0) {
    const total = r.cpu.reduce((n, c) => n + c.seconds, 0);
    rows.push(['CPU s (sale → settled), by process', r.cpu.map(c => `${c.name} ${fmt(c.seconds, 1)}`).join(', ')]);
    const client = r.cpu.filter(c => c.name === 'simulator' || c.name === 'sale checkout').reduce((n, c) => n + c.seconds, 0);
    rows.push(['  simulator + its checkout share', `${fmt((100 * client) / Math.max(total, 1e-9), 0)} % of ${fmt(total, 0)} CPU s over ${fmt((r.sale.buyingMs + r.sale.settleMs) / 1000, 0)} s`]);
  }
  if (t.settleNotes.total() > 0) rows.push(['notes', t.settleNotes.entries().map(([k, n]) => `${k} ×${n}`).join(', ')]);
  return rows;
}

function baselineRows(r: SaleReport): Cell[][] {
  if (!r.baselines) return [];
  const row = (name: string, l: LoadResult): Cell[] => [name, fmtInt(l.opsPerSec), fmt(ms(l.latencyUs.percentile(50))), fmt(ms(l.latencyUs.percentile(99)))];
  return [row('naive MySQL (row lock + insert, one hot item)', r.baselines.naive), row('gRPC floor (GetSupportedCurrencies, no I/O)', r.baselines.floor)];
}

function ratioRows(r: SaleReport): Cell[][] {
  if (!r.baselines) return [];
  const { naive, floor } = r.baselines;
  const buyP50 = r.sale.buyLatencyUs.percentile(50);
  const buyP99 = r.sale.buyLatencyUs.percentile(99);
  const buyRate = r.sale.tally.buyAnswers.total() / (r.sale.buyingMs / 1000);
  return [
    ['accepted Buy/s ÷ naive MySQL orders/s', fmt(r.sale.acceptedPerSec / naive.opsPerSec)],
    ['Buy answers/s ÷ naive MySQL orders/s', fmt(buyRate / naive.opsPerSec)],
    ['Buy p99 ÷ naive MySQL p99', fmt(buyP99 / naive.latencyUs.percentile(99))],
    ['Buy p50 ÷ gRPC floor p50', fmt(buyP50 / floor.latencyUs.percentile(50))],
    ['gRPC floor calls/s ÷ Buy answers/s', fmt(floor.opsPerSec / buyRate)],
  ];
}

export function consoleReport(r: SaleReport): string {
  const parts = [consoleTable(['sale', 'value'], figures(r))];
  if (r.baselines) {
    parts.push(consoleTable(['baseline (same run)', 'ops/s', 'p50 ms', 'p99 ms'], baselineRows(r)));
    parts.push(consoleTable(['ratio', 'value'], ratioRows(r)));
  }
  for (const b of r.ledger.breaches.slice(0, 20)) parts.push(`ledger breach: ${b.invariant}${b.sku ? ` ${b.sku}` : ''}${b.orderId ? ` ${b.orderId}` : ''}: ${b.detail}`);
  return parts.join('\n\n');
}

export function markdownSection(r: SaleReport): string {
  const p = r.params;
  const m = r.machine;
  return `## Sale: the flash sale end to end (\`make sale\`)

${fmtInt(p.attempts)} simulated buyers (IssueToken → Buy with an idempotency key, ${p.concurrency} in flight, each buyer its own user id
and client address, ${p.repeatPct} % of attempts by a user who already tried) on ${p.items} hot item(s) of ${fmtInt(p.units)} units (limit
${p.limitPerUser} per user), while ${fmtInt(p.placeOrders)} shoppers (${p.placeConcurrency} in flight) fill a cart with 1-2 of the 9 catalog items and call
upstream's PlaceOrder. Every accepted buyer follows its order with WatchOrder and pays with PayOrder, except ${p.nonPayerPct} %
who never pay: their orders are cancelled by the payment timeout (window ${fmt(r.paymentWindowMs / 1000, 0)} s) and the units go back on sale.
Served by: ${r.target}; RocketMQ → order consumers → MariaDB behind it. Drain time = how long after the last
reservation of the sell-out burst (the first units accepted) MySQL held all of its rows; write-behind lag = each order's
\`orders.persisted_at − reserved_at\`. Ledger: \`scripts/ledger.ts --wait-drain\`.

Run ${m.date}, commit \`${m.commit}\`, ${m.nproc} × ${m.cpuModel}, ${m.memGiB} GiB, Node ${m.node}; load average ${fmt(r.loadBefore)} before,
${fmt(r.loadAfter)} after (the load generator, the services, Redis, MariaDB and the RocketMQ JVM share the machine).

${markdownTable(['figure', 'value'], figures(r))}
${r.baselines ? `
Baselines measured in the same run with the same load generator and ${p.concurrency} calls in flight for ${fmt(p.baselineMs / 1000, 0)} s each:
the inventory bench's naive MySQL service (per request \`BEGIN; UPDATE … stock = stock - 1 WHERE stock >= 1; INSERT order; COMMIT\`,
its own database) and the checkout bench's no-I/O gRPC floor (CurrencyService.GetSupportedCurrencies of the running shop).

${markdownTable(['baseline (same run)', 'ops/s', 'p50 ms', 'p99 ms'], baselineRows(r))}

${markdownTable(['ratio', 'value'], ratioRows(r))}

"accepted Buy/s" counts only the buys that got a unit before the item first sold out; after that most answers are fast
refusals (local sold-out flag), which "Buy answers/s" includes. The naive service takes a row lock per order, so its
orders/s is what a hot item sells at without the Redis front; its refusals after sell-out would be as slow as its sales.
` : ''}`;
}
