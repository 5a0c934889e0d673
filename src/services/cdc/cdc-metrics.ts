// CDC counters on the process registry: what the reader published and what each consumer did.
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../../platform/metrics';

const registers = [metricsRegistry];

export const published = new Counter({
  name: 'shop_cdc_events_published_total',
  help: 'RowChanged events sent by the binlog reader, by table',
  labelNames: ['table'],
  registers,
});

export const handled = new Counter({
  name: 'shop_cdc_events_handled_total',
  help: 'RowChanged events handled by the cdc consumers: applied, duplicate (a replay, dropped), retry (failed, redelivered later), skipped (unreadable)',
  labelNames: ['consumer', 'result'],
  registers,
});

export const stockRepairs = new Counter({
  name: 'shop_cdc_stock_repairs_total',
  help: 'Manual MySQL stock edits brought to Redis, by outcome (REWARMED, APPLIED, CLAMPED, COVERED, NOT_WARMED, DUPLICATE, NOT_FOUND)',
  labelNames: ['outcome'],
  registers,
});

export const sendLag = new Gauge({
  name: 'shop_cdc_send_lag_seconds',
  help: 'Commit-to-send delay of the last binlog transaction the reader published (whole-second commit times)',
  registers,
});
