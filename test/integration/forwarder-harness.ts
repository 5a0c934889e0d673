// Reads order-created back with a consumer group unique to the test, keeping only this test's order ids
// (the topic is shared with other suites and earlier runs).
import { randomBytes } from 'node:crypto';
import { ack, createMqConsumer, type MqConsumer, type MqMessage, type MqMetricEvent } from '../../src/platform/mq';
import { testLogger } from '../support/test-logger';
import { waitFor } from './stock-writer-harness';

export const ENDPOINTS = '127.0.0.1:8081';

export interface OrderReader {
  readonly messages: MqMessage[];
  /** Order id -> deliveries seen. */
  counts(): Map<string, number>;
  stop(): Promise<void>;
}

/** Starts a fresh group and waits for its first poll: a new group begins at the queue's current end. */
export async function startOrderReader(idPrefix: string): Promise<OrderReader> {
  const messages: MqMessage[] = [];
  let polls = 0;
  const consumer: MqConsumer = createMqConsumer({
    endpoints: ENDPOINTS,
    namespace: '',
    group: `GID_it_fwd_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`,
    topic: 'order-created',
    batchSize: 32,
    invisibleMs: 10_000,
    awaitMs: 1000,
    logger: testLogger('order-reader'),
    startupTimeoutMs: 20_000,
    handler: async batch => {
      for (const m of batch) if (m.keys[0]?.startsWith(idPrefix)) messages.push(m);
      return batch.map(() => ack);
    },
    metrics: (e: MqMetricEvent) => {
      if (e.type === 'polled') polls += 1;
    },
  });
  await consumer.start();
  await waitFor('a first poll of the test consumer group', () => polls > 0, 30_000);
  return {
    messages,
    counts() {
      const c = new Map<string, number>();
      for (const m of messages) c.set(m.keys[0]!, (c.get(m.keys[0]!) ?? 0) + 1);
      return c;
    },
    stop: () => consumer.stop(),
  };
}
