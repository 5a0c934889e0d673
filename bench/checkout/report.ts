// The checkout bench's BENCHMARKS.md section and console table.
import type { MachineInfo } from '../lib/machine';
import { consoleTable, fmt, fmtInt, markdownTable, type Cell } from '../lib/markdown';
import type { GhzResult } from './ghz';
import type { CheckoutBenchParams } from './params';

export interface Phase {
  readonly name: string;
  readonly what: string;
  readonly result: GhzResult;
  /** Load average (1 min) right after the phase. */
  readonly load: number;
  /** Business check of the phase, e.g. "3000 orders, stock −3000 per item". */
  readonly check: string;
}

const HEADERS = ['phase', 'calls', 'OK', 'calls/s', 'p50 ms', 'p90 ms', 'p99 ms', '× floor p50', 'floor calls/s ÷', 'load'];

function rows(phases: readonly Phase[]): Cell[][] {
  const floor = phases[0]!.result;
  return phases.map(p => [
    p.name,
    fmtInt(p.result.count),
    fmtInt(p.result.statuses.OK ?? 0),
    fmtInt(p.result.rps),
    fmt(p.result.p50Ms),
    fmt(p.result.p90Ms),
    fmt(p.result.p99Ms),
    fmt(p.result.p50Ms / floor.p50Ms, 1),
    fmt(floor.rps / p.result.rps, 1),
    fmt(p.load, 1),
  ]);
}

export function consoleReport(phases: readonly Phase[]): string {
  return consoleTable(HEADERS, rows(phases));
}

export function markdownSection(phases: readonly Phase[], params: CheckoutBenchParams, machine: MachineInfo, loadBefore: number, env: string): string {
  return `## Checkout: PlaceOrder and Buy under ghz (\`make bench-checkout\`)

[ghz](https://ghz.sh) with ${params.concurrency} calls in flight over ${Math.min(params.connections, params.concurrency)} HTTP/2 connection(s), a fixed number of calls
per phase (after ${params.warmUp} unmeasured warm-up calls), against the whole shop in one Node process as \`make run\`
serves it (one gRPC server per service), on the local stack. Each call is a new user. Requests are described by
server reflection (protoc's descriptor set, so Go clients resolve \`shop.v1\` too). PAID events go to the test topic
\`it-checkout-status\`.

${phases.map(p => `- **${p.name}**: ${p.what} Check: ${p.check}.`).join('\n')}

Run ${machine.date}, commit \`${machine.commit}\`, ${machine.nproc} × ${machine.cpuModel}, ${machine.memGiB} GiB, Node ${machine.node}; ${env}.
Load average (1 min) ${fmt(loadBefore, 2)} before; per phase below (ghz runs on the same 2 cores as the shop, Redis, MariaDB and the RocketMQ JVM).

${markdownTable(HEADERS, rows(phases))}

"× floor p50" is the phase's median latency over the floor's; "floor calls/s ÷" the floor's throughput over the
phase's: what a PlaceOrder or Buy costs compared to the cheapest gRPC round trip on this machine in the same run.
`;
}
