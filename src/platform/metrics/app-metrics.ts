// The shop's business metrics (seed 004 names first), counted where the events happen and drawn by
// deploy/grafana/boutique-seckill.json. Sampled gauges get their values from sources registered by the
// process parts that own the data (see sampled-gauge.ts).
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from './registry';
import { sampledGauge } from './sampled-gauge';

const registers = [metricsRegistry];

/** Accepted orders: `source` checkout (PlaceOrder succeeded) or flashsale (Buy ACCEPTED). */
export const orderPlaced = new Counter({
  name: 'app_order_placed_total',
  help: 'Orders placed: checkout PlaceOrder successes and flash-sale Buy acceptances',
  labelNames: ['source'],
  registers,
});

/** Stock taken in Redis: one per RESERVED Reserve. */
export const stockChargeSuccess = new Counter({
  name: 'app_stock_charge_success_total',
  help: 'Reservations that took stock in Redis (InventoryService.Reserve answered RESERVED)',
  registers,
});

export const reservations = new Counter({
  name: 'app_reservations_total',
  help: 'InventoryService.Reserve answers by outcome (RESERVED, DUPLICATE, SOLD_OUT, LIMIT_EXCEEDED, NOT_WARMED)',
  labelNames: ['outcome'],
  registers,
});

/** `source` normal (first attempt) or retry (a later attempt, ShippingRecover or after a crash). */
export const shippingSuccess = new Counter({
  name: 'app_shipping_success_total',
  help: 'Orders shipped (ShipOrder answered and the order became SHIPPED), by first attempt or retry',
  labelNames: ['source'],
  registers,
});

export const forwarderLag = new Gauge({
  name: 'app_forwarder_lag_ms',
  help: 'Age of the oldest order-created stream entry not yet forwarded to RocketMQ (ms), at the last probe',
  registers,
});

export const repoFlushSuccess = new Counter({
  name: 'repo_flush_success_total',
  help: 'Stock write-behind batches committed to MySQL',
  registers,
});

export const repoFlushEntries = new Counter({
  name: 'repo_flush_entries_total',
  help: 'Stock-change entries applied to MySQL by the write-behind worker',
  registers,
});

/** XINFO GROUPS per stream: entries not yet delivered to the group (`lag`) and delivered but unacked (`pending`). */
export const streamBacklog = sampledGauge({
  name: 'app_stream_backlog',
  help: 'Redis Stream backlog per consumer group: kind=lag (not yet read by the group) or pending (read, not acked)',
  labelNames: ['stream', 'group', 'kind'],
});

export const deadStreamEntries = sampledGauge({
  name: 'app_dead_stream_entries',
  help: 'Entries in the dead-letter streams of the stock and orders streams (XLEN), per source stream',
  labelNames: ['stream'],
});

export const deadLetters = sampledGauge({
  name: 'app_dead_letters',
  help: 'Rows in dead_letters by consumer group: state=open (not replayed) or replayed',
  labelNames: ['consumer_group', 'state'],
});

/** Redis stock minus MySQL stock of each flash-sale SKU: negative while sold units wait for the write-behind; stays non-zero only on drift. */
export const ledgerDrift = sampledGauge({
  name: 'app_stock_ledger_drift',
  help: 'Redis stock minus MySQL stock per warmed flash-sale SKU (negative while sales wait for the write-behind, 0 once it caught up)',
  labelNames: ['sku'],
});

export const unsyncedEntries = sampledGauge({
  name: 'app_stock_unsynced_entries',
  help: 'Stock changes of a warmed flash-sale SKU written in Redis but not yet applied to MySQL',
  labelNames: ['sku'],
});
