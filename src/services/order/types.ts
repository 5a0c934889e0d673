// Domain types of the order service (rows as the repo returns them; no protobuf, no SQL).
import type { Money } from '../../platform/money';
import type { OrderSourceName, OrderStatusName } from './state-machine';

export interface ShippingAddress {
  streetAddress: string;
  city: string;
  state: string;
  country: string;
  zipCode: number;
}

export interface OrderLineRecord {
  productId: string;
  quantity: number;
  /** Price of ONE unit in the order's currency. */
  unitCost: Money;
}

/** Everything an order row is created from (the OrderDraft, validated; see draft.ts). */
export interface NewOrder {
  orderId: string;
  userId: string;
  source: OrderSourceName;
  userCurrency: string;
  email: string;
  address: ShippingAddress;
  items: OrderLineRecord[];
  shippingCost: Money;
  /** Σ unit_cost × quantity (derived exactly from items). */
  itemsTotal: Money;
  total: Money;
  /** null when the request had no idempotency key. */
  idempotencyKey: string | null;
  createdAt: Date;
  expiresAt: Date;
  /** When Redis accepted the reservation; null when unknown. */
  reservedAt: Date | null;
}

/** An order row without its lines. */
export interface OrderHeader extends Omit<NewOrder, 'items'> {
  status: OrderStatusName;
  previousStatus: OrderStatusName | null;
  trackingId: string | null;
  transactionId: string | null;
  failureReason: string | null;
  payingUntil: Date | null;
  paidAt: Date | null;
  stockReleasedAt: Date | null;
  persistedAt: Date;
  updatedAt: Date;
  /** Number of transitions applied so far (0 = just created). */
  version: number;
}

export interface OrderRecord extends OrderHeader {
  items: OrderLineRecord[];
}

/** One committed change of an order (creation or transition), as listeners see it after commit. */
export interface OrderChange {
  orderId: string;
  userId: string;
  /** null for the creation. */
  from: OrderStatusName | null;
  to: OrderStatusName;
  /** orders.version after the change (= order_events.seq). */
  version: number;
  reason: string;
  trackingId: string | null;
  transactionId: string | null;
  expiresAt: Date;
  at: Date;
}

/** One row of order_events. */
export interface OrderEventRecord {
  orderId: string;
  seq: number;
  from: OrderStatusName | null;
  to: OrderStatusName;
  reason: string;
  at: Date;
}

export interface TransitionOptions {
  /** Recorded in the history; stored as failure_reason for CANCELLED / SHIP_FAILED. */
  reason?: string;
  trackingId?: string;
  transactionId?: string;
  /** Only apply while expires_at is still in the future (PayOrder taking the PAYING lock). */
  onlyBeforeDeadline?: boolean;
}

export type TransitionResult =
  | { kind: 'applied'; from: OrderStatusName; to: OrderStatusName; order: OrderHeader }
  | { kind: 'not-found' }
  /** `current` === the target means it was already there (a redelivery, a repeated call). */
  | { kind: 'refused'; current: OrderStatusName; order: OrderHeader };

/** A status event kept because its order row did not exist yet. */
export interface PendingStatusEvent {
  orderId: string;
  to: OrderStatusName;
  /** The OrderStatusChanged bytes as received. */
  payload: Buffer;
  receivedAt: Date;
}

/** Resolves a pending event into transition options (the creation consumer decodes payloads). */
export type PendingDecoder = (event: PendingStatusEvent) => TransitionOptions;

export interface InsertBatchResult {
  /** Rows this call created. */
  inserted: string[];
  /** Ids that already had a row (a redelivery): nothing was written for them. */
  duplicates: string[];
  /** Pending status events applied in the same transaction. */
  pendingApplied: Array<{ orderId: string; to: OrderStatusName }>;
  /** Pending events the table refused (logged + counted by the caller), deleted. */
  pendingRefused: Array<{ orderId: string; to: OrderStatusName; current: OrderStatusName }>;
}

export interface ListCursor {
  createdAt: Date;
  orderId: string;
}

export interface OrderPage {
  orders: OrderRecord[];
  /** Set when there may be more. */
  next?: ListCursor;
}
