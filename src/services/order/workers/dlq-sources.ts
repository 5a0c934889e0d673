// The order service's consumer groups whose dead letters are collected, with the topic each consumes.
import type { Config } from '../../../platform/config';
import type { DlqSource } from './dlq-letters';

/** From the configured topics and groups (ORDER_CREATED_*, ORDER_STATUS_*, ORDER_TIMEOUT_*). */
export function orderDlqSources(
  core: Pick<Config['orderCore'], 'createdTopic' | 'createdGroup' | 'statusTopic' | 'statusGroup' | 'timeoutTopic' | 'timeoutGroup'>,
): readonly DlqSource[] {
  return Object.freeze([
    { group: core.createdGroup, topic: core.createdTopic, kind: 'NORMAL' },
    { group: core.statusGroup, topic: core.statusTopic, kind: 'FIFO' },
    { group: core.timeoutGroup, topic: core.timeoutTopic, kind: 'DELAY' },
  ]);
}

/** The defaults (prefer orderDlqSources(config.orderCore)). */
export const ORDER_DLQ_SOURCES: readonly DlqSource[] = orderDlqSources({
  createdTopic: 'order-created',
  createdGroup: 'GID_order_created',
  statusTopic: 'order-status',
  statusGroup: 'GID_order_status',
  timeoutTopic: 'order-timeout',
  timeoutGroup: 'GID_order_timeout',
});
