// Turns the rounds of one run into the console table and the BENCHMARKS.md section. Headline figures are
// the median round of each system; headline ratios are the median of the per-round ratios (the three
// systems of a round ran back to back, so a round's ratio sees the same background load).
import type { LoadResult } from '../lib/load-loop';
import type { MachineInfo } from '../lib/machine';
import { consoleTable, fmt, fmtInt, markdownTable } from '../lib/markdown';
import type { RedisBenchmarkResult } from '../lib/redis-benchmark';
import type { BenchParams } from './params';

export type SystemId = 'grpc' | 'direct' | 'lua' | 'naive';

export interface Measured {
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly calls: number;
  readonly errors: number;
  /** 1-minute load average when the phase started. */
  readonly load1: number;
}

export type Round = Readonly<Record<SystemId, Measured>>;

export interface RunReport {
  readonly machine: MachineInfo;
  readonly params: BenchParams;
  readonly rounds: readonly Round[];
  readonly loadBefore: number;
  readonly loadAfter: number;
  readonly redis: Readonly<Record<string, string>>;
  readonly mysql: Readonly<Record<string, string>>;
  readonly scriptSha: string;
  readonly serverShards: number;
  readonly errorSamples: readonly string[];
}

export const LABELS: Readonly<Record<SystemId, string>> = {
  grpc: 'gRPC Reserve (productcatalog, Node)',
  direct: 'Reserve without gRPC (stock domain in-process)',
  lua: 'Lua ceiling (redis-benchmark EVALSHA)',
  naive: 'Naive MySQL (row lock + order insert)',
};

export function fromLoad(r: LoadResult, load1: number): Measured {
  return {
    opsPerSec: r.opsPerSec,
    p50Ms: r.latencyUs.percentile(50) / 1000,
    p99Ms: r.latencyUs.percentile(99) / 1000,
    calls: r.ok,
    errors: r.errors,
    load1,
  };
}

export function fromRedisBenchmark(r: RedisBenchmarkResult, reserved: number, load1: number): Measured {
  return { opsPerSec: r.opsPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms, calls: reserved, errors: r.requests - reserved, load1 };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The round whose throughput is the median (lower middle for an even count) for one system. */
export function medianRound(rounds: readonly Round[], id: SystemId): Measured {
  const sorted = [...rounds].map(r => r[id]).sort((a, b) => a.opsPerSec - b.opsPerSec);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export interface Ratios {
  readonly throughput: number;
  readonly p50: number;
  readonly p99: number;
}

/** `of` relative to `against`, per round, then the median. */
export function ratios(rounds: readonly Round[], of: SystemId, against: SystemId): Ratios {
  return {
    throughput: median(rounds.map(r => r[of].opsPerSec / r[against].opsPerSec)),
    p50: median(rounds.map(r => r[of].p50Ms / r[against].p50Ms)),
    p99: median(rounds.map(r => r[of].p99Ms / r[against].p99Ms)),
  };
}

export const SYSTEMS: readonly SystemId[] = ['grpc', 'direct', 'lua', 'naive'];

/** The ratios reported: the two the issue asks for first, then the ones that explain them. */
const RATIOS: ReadonlyArray<readonly [string, SystemId, SystemId]> = [
  ['gRPC Reserve / Lua ceiling', 'grpc', 'lua'],
  ['gRPC Reserve / naive MySQL', 'grpc', 'naive'],
  ['Reserve without gRPC / naive MySQL (like for like)', 'direct', 'naive'],
  ['Reserve without gRPC / Lua ceiling', 'direct', 'lua'],
  ['gRPC Reserve / Reserve without gRPC (cost of the hop)', 'grpc', 'direct'],
];

function headlineRows(rep: RunReport): string[][] {
  return SYSTEMS.map(id => {
    const m = medianRound(rep.rounds, id);
    return [LABELS[id], fmtInt(m.opsPerSec), fmt(m.p50Ms), fmt(m.p99Ms)];
  });
}

function ratioRows(rep: RunReport): string[][] {
  return RATIOS.map(([label, of, against]) => {
    const r = ratios(rep.rounds, of, against);
    return [label, fmt(r.throughput), fmt(r.p50), fmt(r.p99)];
  });
}

function roundRows(rep: RunReport): string[][] {
  return rep.rounds.flatMap((r, i) =>
    SYSTEMS.map(id => [
      String(i + 1),
      id,
      fmtInt(r[id].opsPerSec),
      fmt(r[id].p50Ms),
      fmt(r[id].p99Ms),
      fmtInt(r[id].calls),
      String(r[id].errors),
      fmt(r[id].load1),
    ]),
  );
}

const HEAD = ['system', 'ops/s', 'p50 ms', 'p99 ms'];
const RATIO_HEAD = ['ratio', 'throughput', 'p50 latency', 'p99 latency'];
const ROUND_HEAD = ['round', 'system', 'ops/s', 'p50 ms', 'p99 ms', 'calls', 'errors', 'load1'];

export function consoleReport(rep: RunReport): string {
  return [
    consoleTable(HEAD, headlineRows(rep)),
    '',
    consoleTable(RATIO_HEAD, ratioRows(rep)),
    '',
    consoleTable(ROUND_HEAD, roundRows(rep)),
    '',
    `load average (1 min): ${fmt(rep.loadBefore)} before, ${fmt(rep.loadAfter)} after`,
    ...(rep.errorSamples.length > 0 ? [`errors: ${rep.errorSamples.join(' | ')}`] : []),
  ].join('\n');
}

export function markdownSection(rep: RunReport): string {
  const p = rep.params;
  const m = rep.machine;
  const kv = (o: Readonly<Record<string, string>>) => Object.entries(o).map(([k, v]) => `${k}=${v}`).join(', ');
  return `## Inventory: Reserve (\`make bench-inventory\`)

One hot item (stock ${fmtInt(p.stock)}, no per-user limit), every call a new order of a new user, quantity 1.
gRPC Reserve against its two baselines (the Lua ceiling, the naive MySQL service), plus Reserve without gRPC to
explain the gaps; all measured in the same run on the same machine, ${p.rounds} round(s) of each (phase order rotated per round):

- **gRPC Reserve**: the productcatalog handlers in a child Node process (real \`InventoryService.Reserve\`:
  validation, order payload encoding, \`reserve-stock.lua\` writing the reservation record and both stream
  records), called by a grpc-js client with ${p.concurrency} calls in flight over ${p.channels} HTTP/2 channels for ${fmt(p.durationMs / 1000, 1)} s.
  Stock workers are not running (bench stream entries must reach neither MySQL nor RocketMQ).
- **Reserve without gRPC**: the same stock domain (\`createStockService\`: validation, sold-out check, the
  same script through ioredis, one connection) called in the bench process, payload encoded per call,
  ${p.concurrency} in flight. Shows how much of the gap is the gRPC hop, and is the like-for-like partner of the naive baseline.
- **Lua ceiling**: \`redis-benchmark -c ${p.concurrency} -n ${fmtInt(p.luaRequests)} EVALSHA ${rep.scriptSha.slice(0, 12)}… 6 <keys> <args>\` of the same
  script with the same key layout, payload size and TTLs; \`__rand_int__\` makes every call a new order. No Node, no gRPC.
- **Naive MySQL**: per request \`BEGIN; UPDATE products SET stock = stock - 1 WHERE id = ? AND stock >= 1;
  INSERT INTO orders …(same payload); COMMIT\` through mysql2, ${p.concurrency} connections, ${fmt(p.durationMs / 1000, 1)} s.

Run ${m.date}, commit \`${m.commit}\`, ${m.nproc} × ${m.cpuModel}, ${m.memGiB} GiB, Node ${m.node}, ${rep.serverShards} stock shards.
Load average (1 min) ${fmt(rep.loadBefore)} before, ${fmt(rep.loadAfter)} after (the machine is shared; per-phase figures below).
Redis: ${kv(rep.redis)}. MariaDB: ${kv(rep.mysql)}.

### Headline (median round)

${markdownTable(HEAD, headlineRows(rep))}

### Ratios (median of per-round ratios)

Throughput ratio above 1: gRPC Reserve completes more per second. Latency ratio above 1: gRPC Reserve takes longer.

${markdownTable(RATIO_HEAD, ratioRows(rep))}

### Every round

${markdownTable(ROUND_HEAD, roundRows(rep))}

Lua "calls" are reservations verified in Redis (stock taken and order-created records written), not just
replies; gRPC and in-process calls counted only when the answer was RESERVED (and the Redis stock fell by
exactly that many); naive calls only when committed (order rows and stock checked after each phase).
The load generator and the server share the same ${m.nproc} cores with Redis, MariaDB and the RocketMQ JVM.
`;
}
