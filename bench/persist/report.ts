// The persistence bench's results as a BENCHMARKS.md section and a console summary.
import type { MachineInfo } from '../lib/machine';
import { consoleTable, fmt, fmtInt, markdownTable, type Cell } from '../lib/markdown';
import type { LagResult } from './lag';
import type { PersistParams } from './params';
import type { ConsumerRate, Rate } from './throughput';

export interface ThroughputRound {
  readonly round: number;
  readonly consumer: ConsumerRate;
  /** The same with several consumer clients in the group. */
  readonly consumers: ConsumerRate;
  readonly rowSeq: Rate;
  readonly rowConc: Rate;
  readonly batch: Rate;
}

export interface PersistResults {
  readonly params: PersistParams;
  readonly machine: MachineInfo;
  readonly durability: Record<string, string>;
  readonly rounds: readonly ThroughputRound[];
  readonly lags: readonly LagResult[];
  readonly load: { readonly before: number; readonly after: number };
  readonly consumerBatch: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function ratios(rounds: readonly ThroughputRound[]): Array<[string, number]> {
  return [
    ['batch consumer / one row per transaction (1 in flight)', median(rounds.map(r => r.consumer.perSec / r.rowSeq.perSec))],
    ['batch consumer / one row per transaction (N in flight)', median(rounds.map(r => r.consumer.perSec / r.rowConc.perSec))],
    ['batch consumer / direct 100-row inserts (cost of the broker hop)', median(rounds.map(r => r.consumer.perSec / r.batch.perSec))],
    ['batch consumer, parallel clients / one row per transaction (N in flight)', median(rounds.map(r => r.consumers.perSec / r.rowConc.perSec))],
    ['batch consumer, parallel clients / batch consumer', median(rounds.map(r => r.consumers.perSec / r.consumer.perSec))],
    ['direct 100-row inserts / one row per transaction (1 in flight)', median(rounds.map(r => r.batch.perSec / r.rowSeq.perSec))],
  ];
}

function roundRows(rounds: readonly ThroughputRound[], rowConcurrency: number, rowConsumers: number): Cell[][] {
  return rounds.flatMap(r => [
    [r.round, 'batch consumer (RocketMQ → 100-row tx)', fmtInt(r.consumer.perSec), fmtInt(r.consumer.orders), fmt(r.consumer.ms / 1000), `${fmt(r.consumer.meanBatch, 1)} msgs/batch (max ${r.consumer.maxBatch})`, fmt(r.consumer.load1)],
    [r.round, `batch consumer, ${rowConsumers} clients in the group`, fmtInt(r.consumers.perSec), fmtInt(r.consumers.orders), fmt(r.consumers.ms / 1000), `${fmt(r.consumers.meanBatch, 1)} msgs/batch (max ${r.consumers.maxBatch})`, fmt(r.consumers.load1)],
    [r.round, 'one row per tx, 1 in flight', fmtInt(r.rowSeq.perSec), fmtInt(r.rowSeq.orders), fmt(r.rowSeq.ms / 1000), '', fmt(r.rowSeq.load1)],
    [r.round, `one row per tx, ${rowConcurrency} in flight`, fmtInt(r.rowConc.perSec), fmtInt(r.rowConc.orders), fmt(r.rowConc.ms / 1000), '', fmt(r.rowConc.load1)],
    [r.round, 'direct 100-row inserts', fmtInt(r.batch.perSec), fmtInt(r.batch.orders), fmt(r.batch.ms / 1000), '', fmt(r.batch.load1)],
  ]);
}

function lagRows(lags: readonly LagResult[]): Cell[][] {
  return lags.map(l => [
    fmtInt(l.rate), fmtInt(l.achievedRate), fmtInt(l.orders), l.errors, fmt(l.p50Ms, 1), fmt(l.p99Ms, 1), fmt(l.maxMs, 1),
    fmt(l.hopsP50Ms.forward, 1), fmt(l.hopsP50Ms.broker, 1), fmt(l.hopsP50Ms.insert, 1), fmt(l.load1),
  ]);
}

const ROUND_HEADERS = ['round', 'system', 'orders/s', 'orders', 's', 'note', 'load1'];
const LAG_HEADERS = [
  'Reserve rate /s', 'achieved /s', 'orders', 'errors', 'lag p50 ms', 'lag p99 ms', 'max ms',
  'p50 Redis→forwarded', 'p50 forwarded→received', 'p50 received→row', 'load1',
];

export function markdownSection(res: PersistResults): string {
  const { params: p, machine: m } = res;
  const lagRatio = res.lags.length >= 2 ? res.lags[res.lags.length - 1]!.p50Ms / res.lags[0]!.p50Ms : NaN;
  return `## Order persistence: batch consumer and end-to-end lag (\`make bench-persist\`)

**Throughput.** The same kind of complete orders (address, email, 1-3 lines, exact money; \`orders\` +
\`order_items\` + \`order_events\` rows) written to one MariaDB database in five ways, ${p.rounds} round(s), phase order rotated:

- **batch consumer**: the real creation consumer (\`createCreationHandler\`, asking for ORDER_CONSUMER_BATCH = ${res.consumerBatch} messages per receive →
  one multi-row INSERT transaction) draining a backlog of ${fmtInt(p.orders)} OrderCreated messages from RocketMQ
  (a fresh group; the handler is held shut while the backlog is published, the clock runs from opening it until the last row is in MySQL),
  with one consumer client and with ${p.parallelConsumers} clients in the group (replicas, or one consumer running several receive loops);
- **one row per transaction**: the same repo code with a batch of one order per transaction, ${fmtInt(p.rowOrders)} orders,
  1 and ${p.rowConcurrency} transactions in flight (what a consumer committing per message costs);
- **direct 100-row inserts**: \`insertBatch\` of 100 orders per transaction without the broker (the consumer minus RocketMQ).

RocketMQ hands out at most 32 messages per receive (the broker's pop limit), so a consumer batch is at most 32 rows
whatever ORDER_CONSUMER_BATCH says; each batch is receive → one transaction → acks, one after the other.

${markdownTable(['ratio (median of per-round ratios)', 'value'], ratios(res.rounds).map(([k, v]) => [k, fmt(v)]))}

${markdownTable(ROUND_HEADERS, roundRows(res.rounds, p.rowConcurrency, p.parallelConsumers))}

**End-to-end lag, Reserve → row in MySQL.** The real pipeline in a child process: \`InventoryService.Reserve\`
(Lua: stock + order record in the orders stream) → forwarder (stream → RocketMQ) → creation consumer → MySQL.
Reserve is called at a fixed rate (open loop) for ${fmt(p.lagMs / 1000, 0)} s; the lag of each order is
\`persisted_at − reserved_at\` from its own row (MySQL clock at INSERT minus the time Redis accepted it; one host).
The hop columns split it with the message's born time (forwarder send) and the consumer's receive time.
${Number.isFinite(lagRatio) ? `Lag p50 at the highest rate / at the lowest: **${fmt(lagRatio)}**.` : ''}

${markdownTable(LAG_HEADERS, lagRows(res.lags))}

Run ${m.date}, commit \`${m.commit}\`, ${m.nproc} × ${m.cpuModel}, ${m.memGiB} GiB, Node ${m.node}.
Load average (1 min) ${fmt(res.load.before)} before, ${fmt(res.load.after)} after (shared machine; per-phase load in the tables).
MariaDB: ${Object.entries(res.durability).map(([k, v]) => `${k}=${v}`).join(', ')}.
`;
}

export function consoleReport(res: PersistResults): string {
  return [
    consoleTable(['ratio', 'value'], ratios(res.rounds).map(([k, v]) => [k, fmt(v)])),
    '',
    consoleTable(ROUND_HEADERS, roundRows(res.rounds, res.params.rowConcurrency, res.params.parallelConsumers)),
    '',
    consoleTable(LAG_HEADERS, lagRows(res.lags)),
  ].join('\n');
}
