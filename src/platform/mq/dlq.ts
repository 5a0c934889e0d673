import { createMqConsumer, type MqConsumer, type MqConsumerOptions } from './consumer';

/** Where the broker parks a message of `group` once it has used up retryMaxTimes + 1 deliveries. */
export const dlqTopicOf = (group: string): string => `%DLQ%${group}`;

/** Default reader group: a DLQ is read by a consumer of another group, never the failing group itself. */
export const dlqReaderGroupOf = (group: string): string => `${group}_dlq_reader`;

export interface MqDlqReaderOptions extends Omit<MqConsumerOptions, 'topic' | 'group'> {
  /** The group whose dead letters are read. */
  readonly sourceGroup: string;
  readonly readerGroup?: string;
}

/**
 * Reads `%DLQ%<sourceGroup>`. The topic exists only after the first dead letter (or if pre-created) and the
 * proxy caches "topic not found" routes for a while, so deployments should pre-create it. The move to the DLQ
 * happens only while some consumer of the source group keeps calling receive.
 */
export function createDlqReader(opts: MqDlqReaderOptions): MqConsumer {
  const { sourceGroup, readerGroup, ...rest } = opts;
  return createMqConsumer({ ...rest, topic: dlqTopicOf(sourceGroup), group: readerGroup ?? dlqReaderGroupOf(sourceGroup) });
}
