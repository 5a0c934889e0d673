// Bench helpers other than the histogram: the load loop's limits and concurrency bound, the markdown
// section writer, redis-benchmark CSV parsing and the report's median/ratio rules.
import assert from 'node:assert/strict';
import { runLoad } from '../../bench/lib/load-loop';
import { markdownTable, replaceSection } from '../../bench/lib/markdown';
import { parseRedisBenchmarkCsv, redisBenchmarkArgs } from '../../bench/lib/redis-benchmark';
import { median, medianRound, ratios, type Measured, type Round } from '../../bench/inventory/report';

const tick = () => new Promise<void>(resolve => setImmediate(resolve));

describe('bench load loop', () => {
  it('runs exactly `count` calls with never more than `concurrency` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen = new Set<number>();
    const r = await runLoad({ concurrency: 8, count: 100 }, async i => {
      seen.add(i);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      inFlight--;
    });
    assert.equal(r.ok, 100);
    assert.equal(r.errors, 0);
    assert.equal(seen.size, 100);
    assert.deepEqual([...seen].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
    assert.equal(peak, 8);
    assert.equal(r.latencyUs.snapshot().count, 100);
  });

  it('counts failures apart, keeps a few distinct messages, and leaves them out of the latencies', async () => {
    const r = await runLoad({ concurrency: 3, count: 30 }, async i => {
      await tick();
      if (i % 3 === 0) throw new Error(i % 2 === 0 ? 'even' : 'odd');
    });
    assert.equal(r.ok, 20);
    assert.equal(r.errors, 10);
    assert.deepEqual([...r.errorSamples].sort(), ['even', 'odd']);
    assert.equal(r.latencyUs.snapshot().count, 20);
  });

  it('a duration limit on a fake clock stops starting calls once it passed and waits for in-flight ones', async () => {
    let now = 0n;
    let finished = 0;
    const r = await runLoad({ concurrency: 4, durationMs: 10, nowNs: () => now }, async () => {
      now += 1_000_000n; // every call takes 1 ms of fake time
      await tick();
      finished++;
    });
    assert.equal(r.ok, finished);
    assert.ok(r.ok >= 10 && r.ok <= 10 + 4, `ok ${r.ok}`);
    assert.equal(r.elapsedMs, Number(now) / 1e6);
  });

  it('an aborted signal stops new calls; calls already started finish', async () => {
    const controller = new AbortController();
    let finished = 0;
    const r = await runLoad({ concurrency: 2, count: 1000, signal: controller.signal }, async i => {
      if (i === 5) controller.abort();
      await tick();
      finished++;
    });
    assert.equal(r.ok, finished);
    assert.ok(r.ok >= 6 && r.ok <= 8, `ok ${r.ok}`);
  });

  it('refuses a loop without any limit or with no workers', async () => {
    await assert.rejects(runLoad({ concurrency: 1 }, async () => undefined), RangeError);
    await assert.rejects(runLoad({ concurrency: 0, count: 1 }, async () => undefined), RangeError);
  });
});

describe('bench markdown', () => {
  const body = '## Inventory\n\nnew figures';

  it('appends a missing section between markers, then replaces only that section', () => {
    const intro = '# Benchmarks\n\nintro\n';
    const once = replaceSection(intro, 'inventory', body);
    assert.equal(once, '# Benchmarks\n\nintro\n\n<!-- bench:inventory:start -->\n## Inventory\n\nnew figures\n<!-- bench:inventory:end -->\n');
    const other = replaceSection(once, 'cart', 'cart figures');
    const again = replaceSection(other, 'inventory', 'newer');
    assert.ok(again.includes('<!-- bench:inventory:start -->\nnewer\n<!-- bench:inventory:end -->'));
    assert.ok(again.includes('<!-- bench:cart:start -->\ncart figures\n<!-- bench:cart:end -->'));
    assert.ok(!again.includes('new figures'));
    assert.ok(again.startsWith(intro));
  });

  it('refuses a document with half a section', () => {
    assert.throws(() => replaceSection('<!-- bench:inventory:start -->\nx', 'inventory', body), /marker/);
  });

  it('tables escape pipes and right-align all-numeric columns', () => {
    assert.equal(markdownTable(['name', 'n'], [['a|b', 1], ['c', 22]]), '| name | n |\n| --- | ---: |\n| a\\|b | 1 |\n| c | 22 |');
  });
});

describe('bench redis-benchmark', () => {
  it('parses the --csv result line of a custom command', () => {
    const out = [
      '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"',
      '"EVALSHA abc 6 {x:inv:3}:resv:lua-__rand_int__ ...","41666.67","1.412","0.208","1.303","2.111","3.007","9.871"',
    ].join('\n');
    assert.deepEqual(parseRedisBenchmarkCsv(out, 100_000), {
      requests: 100_000,
      opsPerSec: 41666.67,
      avgMs: 1.412,
      p50Ms: 1.303,
      p95Ms: 2.111,
      p99Ms: 3.007,
      maxMs: 9.871,
    });
  });

  it('fails clearly when there is no result line', () => {
    assert.throws(() => parseRedisBenchmarkCsv('Could not connect to Redis at 127.0.0.1:1', 10), /no CSV result/);
  });

  it('passes the command as separate argv items, empty arguments included', () => {
    const args = redisBenchmarkArgs({ host: 'h', port: 1, clients: 2, requests: 3, randomKeyspace: 9, command: ['EVALSHA', 'x', '0', ''] });
    assert.deepEqual(args, ['-h', 'h', '-p', '1', '-c', '2', '-n', '3', '-r', '9', '--csv', 'EVALSHA', 'x', '0', '']);
  });
});

describe('bench inventory report', () => {
  const m = (opsPerSec: number, p50Ms: number, p99Ms: number): Measured => ({ opsPerSec, p50Ms, p99Ms, calls: 1, errors: 0, load1: 0 });
  const d = m(2000, 1, 5);
  const rounds: Round[] = [
    { grpc: m(1000, 2, 10), direct: d, lua: m(4000, 1, 2), naive: m(500, 8, 40) },
    { grpc: m(1200, 2, 8), direct: d, lua: m(4000, 1, 2), naive: m(400, 10, 40) },
    { grpc: m(900, 3, 12), direct: d, lua: m(3000, 1, 4), naive: m(450, 8, 20) },
  ];

  it('median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('headline figures come from the median round of each system', () => {
    assert.equal(medianRound(rounds, 'grpc').opsPerSec, 1000);
    assert.equal(medianRound(rounds, 'naive').opsPerSec, 450);
  });

  it('ratios are medians of per-round ratios', () => {
    const vsNaive = ratios(rounds, 'grpc', 'naive');
    assert.equal(vsNaive.throughput, 2); // per round 2, 3, 2
    assert.equal(vsNaive.p50, 0.25); // 0.25, 0.2, 0.375
    assert.equal(vsNaive.p99, 0.25); // 0.25, 0.2, 0.6
    assert.equal(ratios(rounds, 'grpc', 'lua').throughput, 0.3); // 0.25, 0.3, 0.3
    assert.equal(ratios(rounds, 'direct', 'naive').throughput, 2000 / 450); // 4, 5, 4.44
  });
});
