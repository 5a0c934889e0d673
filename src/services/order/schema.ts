// Order service tables (drizzle). Migrations: `npx drizzle-kit generate --name <change>`.
// Money is exact: units (bigint) + nanos (int) + currency, as in google.type.Money.
// All datetimes are datetime(3) in UTC (the pool sets time_zone +00:00).
import { sql } from 'drizzle-orm';
import {
  bigint,
  char,
  customType,
  datetime,
  index,
  int,
  mysqlTable,
  primaryKey,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';
import { jsonColumn } from '../../db/columns';
import { ORDER_STATUSES, ORDER_SOURCES } from './state-machine';

const now3 = sql`CURRENT_TIMESTAMP(3)`;

/** Raw bytes (protobuf bodies). MEDIUMBLOB: up to 16 MiB, far above RocketMQ's 4 MiB body limit. */
const mediumBlob = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => 'mediumblob',
  fromDriver: value => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});

const statusColumn = (name: string) => varchar(name, { length: 24, enum: ORDER_STATUSES });

/**
 * One row per accepted order. Carries everything in the OrderDraft (nothing is dropped on the way:
 * seckill.md §1.11 f). `status` only changes through order-repo `transition` (one guarded UPDATE);
 * `previous_status` is set by that same UPDATE so the history row can name where it came from.
 */
export const orders = mysqlTable(
  'orders',
  {
    orderId: varchar('order_id', { length: 64 }).primaryKey(),
    userId: varchar('user_id', { length: 64 }).notNull(),
    status: statusColumn('status').notNull(),
    previousStatus: statusColumn('previous_status'),
    source: varchar('source', { length: 16, enum: ORDER_SOURCES }).notNull(),
    userCurrency: char('user_currency', { length: 3 }).notNull(),
    shippingCostUnits: bigint('shipping_cost_units', { mode: 'bigint' }).notNull(),
    shippingCostNanos: int('shipping_cost_nanos').notNull(),
    shippingCostCurrency: char('shipping_cost_currency', { length: 3 }).notNull(),
    itemsTotalUnits: bigint('items_total_units', { mode: 'bigint' }).notNull(),
    itemsTotalNanos: int('items_total_nanos').notNull(),
    itemsTotalCurrency: char('items_total_currency', { length: 3 }).notNull(),
    totalUnits: bigint('total_units', { mode: 'bigint' }).notNull(),
    totalNanos: int('total_nanos').notNull(),
    totalCurrency: char('total_currency', { length: 3 }).notNull(),
    streetAddress: varchar('street_address', { length: 255 }).notNull(),
    city: varchar('city', { length: 128 }).notNull(),
    state: varchar('state', { length: 128 }).notNull(),
    country: varchar('country', { length: 128 }).notNull(),
    zipCode: int('zip_code').notNull(),
    email: varchar('email', { length: 320 }).notNull(),
    /** Client idempotency key of the request that created the order (audit); null when none. */
    idempotencyKey: varchar('idempotency_key', { length: 128 }),
    trackingId: varchar('tracking_id', { length: 64 }),
    transactionId: varchar('transaction_id', { length: 64 }),
    failureReason: varchar('failure_reason', { length: 512 }),
    /** Payment deadline: unpaid after this instant → timeout cancel. */
    expiresAt: datetime('expires_at', { fsp: 3 }).notNull(),
    /** While PAYING: the PayOrder call holding the lock must finish before this instant (see state-machine.ts). */
    payingUntil: datetime('paying_until', { fsp: 3 }),
    paidAt: datetime('paid_at', { fsp: 3 }),
    /** Set once InventoryService.Release succeeded for a CANCELLED order; NULL → the release is re-driven. */
    stockReleasedAt: datetime('stock_released_at', { fsp: 3 }),
    /** When the order was accepted (the caller's clock, from the draft). */
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
    /** When Redis accepted the reservation (OrderCreated.reserved_at); null when unknown. */
    reservedAt: datetime('reserved_at', { fsp: 3 }),
    /** DB clock at insert: end-to-end persistence lag = persisted_at - reserved_at. */
    persistedAt: datetime('persisted_at', { fsp: 3 }).notNull().default(now3),
    updatedAt: datetime('updated_at', { fsp: 3 }).notNull(),
    /** Bumped by every transition; equals the seq of the latest order_events row. */
    version: int('version', { unsigned: true }).notNull().default(0),
  },
  t => [
    // Timeout-cancel scan: WHERE status='PENDING_PAYMENT' AND expires_at <= ? (… FOR UPDATE SKIP LOCKED).
    index('orders_status_expires_idx').on(t.status, t.expiresAt),
    // Recover scans: PAID without shipment, stale PAYING locks (status + updated_at).
    index('orders_status_updated_idx').on(t.status, t.updatedAt),
    // Release re-drive: WHERE status='CANCELLED' AND stock_released_at IS NULL.
    index('orders_status_released_idx').on(t.status, t.stockReleasedAt),
    // ListOrders keyset: WHERE user_id=? AND (created_at, order_id) < (?, ?) ORDER BY created_at DESC, order_id DESC.
    index('orders_user_created_idx').on(t.userId, t.createdAt, t.orderId),
    // The ledger and the reconciliation counters read the window of recent orders by creation time.
    index('orders_created_idx').on(t.createdAt),
  ],
);

/** Lines of an order, in draft order (line 0..n-1). unit_cost is per unit, like hipstershop.OrderItem.cost. */
export const orderItems = mysqlTable(
  'order_items',
  {
    orderId: varchar('order_id', { length: 64 }).notNull(),
    line: int('line', { unsigned: true }).notNull(),
    productId: varchar('product_id', { length: 64 }).notNull(),
    quantity: int('quantity', { unsigned: true }).notNull(),
    unitCostUnits: bigint('unit_cost_units', { mode: 'bigint' }).notNull(),
    unitCostNanos: int('unit_cost_nanos').notNull(),
    unitCostCurrency: char('unit_cost_currency', { length: 3 }).notNull(),
  },
  t => [primaryKey({ columns: [t.orderId, t.line] }), index('order_items_product_idx').on(t.productId)],
);

/**
 * A status event that arrived before its order row (F4; seckill.md §1.11 c). Applied — through the same
 * transition table — by the creation consumer in the transaction that inserts the row, then deleted.
 * One row per (order, target status): a redelivered event is a no-op.
 */
export const orderStatusPending = mysqlTable(
  'order_status_pending',
  {
    orderId: varchar('order_id', { length: 64 }).notNull(),
    toStatus: statusColumn('to_status').notNull(),
    /** The OrderStatusChanged protobuf bytes as received. */
    payload: mediumBlob('payload').notNull(),
    receivedAt: datetime('received_at', { fsp: 3 }).notNull(),
  },
  t => [primaryKey({ columns: [t.orderId, t.toStatus] })],
);

/**
 * Append-only history of an order: seq 0 is the creation (from = null), then one row per applied
 * transition, written in the transition's transaction. WatchOrder and audits read it.
 */
export const orderEvents = mysqlTable(
  'order_events',
  {
    orderId: varchar('order_id', { length: 64 }).notNull(),
    seq: int('seq', { unsigned: true }).notNull(),
    fromStatus: statusColumn('from_status'),
    toStatus: statusColumn('to_status').notNull(),
    reason: varchar('reason', { length: 512 }).notNull().default(''),
    at: datetime('at', { fsp: 3 }).notNull(),
  },
  t => [primaryKey({ columns: [t.orderId, t.seq] })],
);

/**
 * Messages that exhausted their deliveries (read from %DLQ%<group>, or stored directly by a consumer
 * for a permanent failure). (consumer_group, message_id) is unique so a redelivered DLQ message is
 * stored once.
 */
export const deadLetters = mysqlTable(
  'dead_letters',
  {
    id: bigint('id', { mode: 'bigint', unsigned: true }).autoincrement().primaryKey(),
    topic: varchar('topic', { length: 255 }).notNull(),
    consumerGroup: varchar('consumer_group', { length: 255 }).notNull(),
    messageId: varchar('message_id', { length: 128 }).notNull(),
    msgKey: varchar('msg_key', { length: 255 }).notNull().default(''),
    body: mediumBlob('body').notNull(),
    properties: jsonColumn<Record<string, string>>('properties').notNull(),
    reason: varchar('reason', { length: 1024 }).notNull().default(''),
    attempts: int('attempts', { unsigned: true }).notNull().default(0),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
    replayedAt: datetime('replayed_at', { fsp: 3 }),
    /** Message id the broker gave the re-published copy. */
    replayMessageId: varchar('replay_message_id', { length: 128 }),
  },
  t => [
    uniqueIndex('dead_letters_group_message_uq').on(t.consumerGroup, t.messageId),
    index('dead_letters_topic_idx').on(t.topic, t.id),
    index('dead_letters_replayed_idx').on(t.replayedAt, t.id),
  ],
);

// Fulfilment tasks (shipping + confirmation email) live with the shipping worker; re-exported so
// drizzle-kit (which reads src/services/*/schema.ts) generates their migration.
export { orderTasks } from './shipping/task-schema';
