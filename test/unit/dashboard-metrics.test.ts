// The dashboard's reading of Prometheus text: parsing, per-second rates from counters, and the summary
// of the metric families the services export (names from src/platform/metrics and the flash-sale handlers).
import assert from 'node:assert/strict';
import { createRateTracker } from '../../src/services/gateway/dashboard/counter-rates';
import { summarizeMetrics } from '../../src/services/gateway/dashboard/metrics-summary';
import { parseMetrics, sum } from '../../src/services/gateway/dashboard/prometheus-text';

const TEXT = `# HELP flashsale_buy_results_total Decided Buy calls
# TYPE flashsale_buy_results_total counter
flashsale_buy_results_total{result="BUY_RESULT_ACCEPTED",by="inventory"} 7
flashsale_buy_results_total{result="BUY_RESULT_SOLD_OUT",by="stock"} 3
flashsale_buy_results_total{result="BUY_RESULT_SOLD_OUT",by="inventory"} 2
flashsale_buy_results_total{result="BUY_RESULT_LIMIT_EXCEEDED",by="inventory"} 1
app_order_placed_total{source="flashsale"} 7
app_order_placed_total{source="checkout"} 2
app_reservations_total{outcome="RESERVED"} 9
app_reservations_total{outcome="SOLD_OUT"} 2
app_stream_backlog{stream="{inv:0}:stock",group="stock-writer",kind="lag"} 4
app_stream_backlog{stream="{inv:0}:stock",group="stock-writer",kind="pending"} 1
app_stream_backlog{stream="{inv:1}:orders",group="order-forwarder",kind="pending"} 2
app_dead_stream_entries{stream="{inv:0}:stock"} 0
app_forwarder_lag_ms 120
rocketmq_consumer_lag_ms{topic="order-created",group="GID_order_created"} 35
app_dead_letters{consumer_group="GID_order_created",state="open"} 2
app_dead_letters{consumer_group="GID_order_created",state="replayed"} 5
circuit_breaker_state{name="payment"} 0
circuit_breaker_state{name="inventory"} 2
label_escape{v="a\\"b\\\\c\\nd"} 1 1700000000000
weird_value NaN
`;

describe('dashboard: Prometheus text and metric summary', () => {
  it('parses samples with labels, escapes and timestamps, and skips comments and NaN', () => {
    const series = parseMetrics(TEXT);
    assert.equal(sum(series, 'flashsale_buy_results_total', { result: 'BUY_RESULT_SOLD_OUT' }), 5);
    const escaped = series.find(s => s.name === 'label_escape');
    assert.deepEqual(escaped?.labels, { v: 'a"b\\c\nd' });
    assert.equal(escaped?.value, 1);
    assert.equal(series.some(s => s.name === 'weird_value'), false);
    assert.equal(sum(series, 'absent_metric'), undefined);
  });

  it('summarizes Buy decisions, backlogs, lag, dead letters, breakers; no ledger metric → undefined', () => {
    const m = summarizeMetrics([{ target: 'a:1', up: true, series: parseMetrics(TEXT) }, { target: 'b:2', up: false, error: 'unreachable', series: [] }]);
    assert.deepEqual(m.counters, { accepted: 9, refused: 6 });
    assert.deepEqual(m.refusedByResult, { SOLD_OUT: 5, LIMIT_EXCEEDED: 1 });
    assert.deepEqual(m.reservationsByOutcome, { RESERVED: 9, SOLD_OUT: 2 });
    assert.deepEqual(m.streams, [
      { stream: '{inv:0}:stock', group: 'stock-writer', lag: 4, pending: 1 },
      { stream: '{inv:1}:orders', group: 'order-forwarder', lag: 0, pending: 2 },
    ]);
    assert.equal(m.streamBacklogTotal, 7);
    assert.equal(m.forwarderLagMs, 120);
    assert.deepEqual(m.consumers, [{ topic: 'order-created', group: 'GID_order_created', lagMs: 35 }]);
    assert.equal(m.openDeadLetters, 2);
    assert.deepEqual(m.breakers, [
      { target: 'a:1', name: 'inventory', state: 'open' },
      { target: 'a:1', name: 'payment', state: 'closed' },
    ]);
    assert.equal(m.ledger, undefined);
  });

  it('without the Buy counter: refusals come from the Reserve outcomes, acceptances from orders placed', () => {
    const text = 'app_order_placed_total{source="flashsale"} 3\napp_reservations_total{outcome="RESERVED"} 3\napp_reservations_total{outcome="DUPLICATE"} 1\napp_reservations_total{outcome="SOLD_OUT"} 4\napp_reservations_total{outcome="LIMIT_EXCEEDED"} 1\n';
    const m = summarizeMetrics([{ target: 'x', up: true, series: parseMetrics(text) }]);
    assert.deepEqual(m.counters, { accepted: 3, refused: 5 });
    assert.deepEqual(m.refusedByResult, { SOLD_OUT: 4, LIMIT_EXCEEDED: 1 });
  });

  it('reads the ledger verdict from shop_ledger_clean / _breaches once a check has run', () => {
    const dirty = parseMetrics('shop_ledger_clean 0\nshop_ledger_last_check_timestamp_seconds 1700000000.5\nshop_ledger_breaches{invariant="oversell"} 1\nshop_ledger_breaches{invariant="lost_order"} 0\n');
    assert.deepEqual(summarizeMetrics([{ target: 'x', up: true, series: dirty }]).ledger, { clean: false, breaches: { oversell: 1 }, checkedAt: new Date(1_700_000_000_500) });
    const clean = parseMetrics('shop_ledger_clean 1\nshop_ledger_last_check_timestamp_seconds 1700000001\n');
    assert.deepEqual(summarizeMetrics([{ target: 'x', up: true, series: clean }]).ledger, { clean: true, breaches: {}, checkedAt: new Date(1_700_000_001_000) });
    // The job is registered but has not finished a check yet: its gauges read 0, which is no verdict.
    const unchecked = parseMetrics('shop_ledger_clean 0\nshop_ledger_last_check_timestamp_seconds 0\n');
    assert.equal(summarizeMetrics([{ target: 'x', up: true, series: unchecked }]).ledger, undefined);
  });

  it('computes per-second rates between readings; a counter reset counts from zero', () => {
    const rates = createRateTracker();
    assert.deepEqual(rates.observe({ accepted: 10, refused: 4 }, 1_000), { accepted: 0, refused: 0 });
    assert.deepEqual(rates.observe({ accepted: 30, refused: 4 }, 3_000), { accepted: 10, refused: 0 });
    // Same instant again (a reused snapshot): the last rates stand.
    assert.deepEqual(rates.observe({ accepted: 30, refused: 4 }, 3_000), { accepted: 10, refused: 0 });
    // The process restarted: 6 since the restart, over 2 s.
    assert.deepEqual(rates.observe({ accepted: 6, refused: 8 }, 5_000), { accepted: 3, refused: 2 });
  });
});
