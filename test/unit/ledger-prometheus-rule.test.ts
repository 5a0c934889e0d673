// The chart's PrometheusRule (ledger alerts): off by default, rendered on request with the ledger gauges.
import assert from 'node:assert/strict';
import { lint, parseManifest, template } from './chart-harness';

describe('helm chart: ledger PrometheusRule', function () {
  this.timeout(600_000);

  it('is not rendered by default', () => {
    const r = template();
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!parseManifest(r.stdout).some(o => o.kind === 'PrometheusRule'));
  });

  it('renders the breach, reconciliation-gap and stale alerts on the ledger gauges when enabled', () => {
    const set = { 'metrics.prometheusRule.enabled': 'true', 'metrics.prometheusRule.labels.release': 'kps', 'metrics.prometheusRule.breachFor': '2m' };
    const r = template({ set });
    assert.equal(r.status, 0, r.stderr);
    const rule = parseManifest(r.stdout).find(o => o.kind === 'PrometheusRule');
    assert.ok(rule, 'PrometheusRule rendered');
    assert.equal(rule.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(rule.metadata.labels?.release, 'kps');
    const rules = (rule.spec as { groups: { rules: { alert: string; expr: string; for?: string }[] }[] }).groups.flatMap(g => g.rules);
    const byName = new Map(rules.map(x => [x.alert, x]));
    assert.deepEqual([...byName.keys()].sort(), ['ShopLedgerBreach', 'ShopLedgerStale', 'ShopReconcileGap']);
    assert.match(byName.get('ShopLedgerBreach')!.expr, /shop_ledger_clean/);
    assert.equal(byName.get('ShopLedgerBreach')!.for, '2m');
    assert.match(byName.get('ShopReconcileGap')!.expr, /shop_reconcile_alert\) == 1/);
    assert.match(byName.get('ShopLedgerStale')!.expr, /shop_ledger_last_check_timestamp_seconds\) > 300/);
    const l = lint({ set });
    assert.equal(l.status, 0, l.stdout + l.stderr);
  });

  it('the values schema refuses a malformed duration', () => {
    const r = template({ set: { 'metrics.prometheusRule.breachFor': 'soon' } });
    assert.notEqual(r.status, 0);
  });
});
