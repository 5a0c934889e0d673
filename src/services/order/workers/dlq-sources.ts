// The order service's consumer groups whose dead letters are collected, with the topic each consumes.
import type { Config } from '../../../platform/config';
import type { DlqSource } from './dlq-letters';
import { ORDER_TIMEOUT_GROUP, ORDER_TIMEOUT_TOPIC } from './timeout-schedule';

/** From the configured topics and groups (ORDER_CREATED_*, ORDER_STATUS_*) plus the timeout consumer's. */
export function orderDlqSources(core: Pick<Config['orderCore'], 'createdTopic' | 'createdGroup' | 'statusTopic' | 'statusGroup'>): readonly DlqSource[] {
  return Object.freeze([
    { group: core.createdGroup, topic: core.createdTopic, kind: 'NORMAL' },
    { group: core.statusGroup, topic: core.statusTopic, kind: 'FIFO' },
    { group: ORDER_TIMEOUT_GROUP, topic: ORDER_TIMEOUT_TOPIC, kind: 'DELAY' },
  ]);
}

/** The defaults (prefer orderDlqSources(config.orderCore)). */
export const ORDER_DLQ_SOURCES: readonly DlqSource[] = orderDlqSources({
  createdTopic: 'order-created',
  createdGroup: 'GID_order_created',
  statusTopic: 'order-status',
  statusGroup: 'GID_order_status',
});
