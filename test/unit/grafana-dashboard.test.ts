// The Grafana dashboard in deploy/grafana draws only metrics the processes export: every metric name in
// its queries is registered in the process registry (or is a Node default metric), so a rename breaks here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { metricsRegistry, registerProcessBreakerMetrics } from '../../src/platform/metrics';
import { projectPath } from '../../src/platform/paths';

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly targets?: ReadonlyArray<{ readonly expr: string }>;
}

const dashboard = JSON.parse(readFileSync(projectPath('deploy/grafana/boutique-seckill.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string }> };
};

function exported(): Set<string> {
  registerProcessBreakerMetrics();
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  const names = [...metricsRegistry.getMetricsAsArray(), ...defaults.getMetricsAsArray()].map(m => m.name);
  defaults.clear();
  return new Set(names);
}

/** Metric names in a PromQL expression: identifiers directly followed by a label selector. */
const metricNames = (expr: string): string[] => [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map(m => m[1]!);
const base = (name: string): string => name.replace(/_(bucket|count|sum)$/, '');

describe('Grafana dashboard deploy/grafana/boutique-seckill.json', () => {
  const queries = dashboard.panels.flatMap(p => (p.targets ?? []).map(t => ({ panel: p.title, expr: t.expr })));

  it('has a stable uid, unique panel ids, and a data source variable', () => {
    assert.equal(dashboard.uid, 'boutique-seckill');
    const ids = dashboard.panels.map(p => p.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(dashboard.templating.list.some(v => v.name === 'datasource'));
    assert.ok(queries.length > 20);
  });

  it('queries only metrics the processes export', () => {
    const known = exported();
    const unknown = queries.flatMap(q => metricNames(q.expr).filter(n => !known.has(n) && !known.has(base(n))).map(n => `${q.panel}: ${n}`));
    assert.deepEqual(unknown, []);
  });

  it('draws every business metric of issue 6', () => {
    const used = new Set(queries.flatMap(q => metricNames(q.expr)));
    for (const name of [
      'app_order_placed_total', 'app_stock_charge_success_total', 'app_shipping_success_total', 'app_forwarder_lag_ms',
      'repo_flush_success_total', 'app_stream_backlog', 'rocketmq_consumer_lag_ms', 'app_dead_letters', 'circuit_breaker_state',
      'app_reservations_total', 'app_stock_ledger_drift', 'grpc_server_handled_total', 'grpc_server_handling_seconds_bucket',
    ]) {
      assert.ok(used.has(name), name);
    }
  });
});
