// The order service's consumer groups whose dead letters are collected, with the topic each consumes.
import type { DlqSource } from './dlq-letters';
import { ORDER_TIMEOUT_GROUP, ORDER_TIMEOUT_TOPIC } from './timeout-schedule';

export const ORDER_DLQ_SOURCES: readonly DlqSource[] = Object.freeze([
  { group: 'GID_order_created', topic: 'order-created', kind: 'NORMAL' },
  { group: 'GID_order_status', topic: 'order-status', kind: 'FIFO' },
  { group: ORDER_TIMEOUT_GROUP, topic: ORDER_TIMEOUT_TOPIC, kind: 'DELAY' },
]);
