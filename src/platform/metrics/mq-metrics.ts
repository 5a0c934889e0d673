// RocketMQ client metrics, fed by the MQ adapter's metrics hook (its default): message counts per event
// and the consumer lag, i.e. how long the oldest message of the last batch waited between becoming
// deliverable (born, or its delivery time for DELAY messages) and being received. An empty receive
// means the consumer is caught up (lag 0).
import { Counter, Gauge } from 'prom-client';
import { systemClock, type Clock } from '../clock';
import type { MqMetricsHook } from '../mq/types';
import { metricsRegistry } from './registry';

const events = new Counter({
  name: 'rocketmq_client_messages_total',
  help: 'RocketMQ client events by kind: sent, send_failed, polled, acked, retried, settle_failed (messages); receive_failed, handler_failed (occurrences)',
  labelNames: ['event', 'topic', 'group'],
  registers: [metricsRegistry],
});

const consumerLag = new Gauge({
  name: 'rocketmq_consumer_lag_ms',
  help: 'Age of the oldest message in the last batch received (now - born or delivery time), ms; 0 after an empty receive',
  labelNames: ['topic', 'group'],
  registers: [metricsRegistry],
});

export function createMqMetricsHook(clock: Pick<Clock, 'now'> = systemClock): MqMetricsHook {
  return event => {
    switch (event.type) {
      case 'sent':
      case 'send_failed':
        events.inc({ event: event.type, topic: event.topic, group: '' });
        return;
      case 'receive_failed':
      case 'handler_failed':
        events.inc({ event: event.type, topic: event.topic, group: event.group });
        return;
      case 'polled':
        if (event.count > 0) events.inc({ event: event.type, topic: event.topic, group: event.group }, event.count);
        else consumerLag.set({ topic: event.topic, group: event.group }, 0);
        return;
      case 'delivered':
        if (event.oldestReadyAt !== undefined) {
          consumerLag.set({ topic: event.topic, group: event.group }, Math.max(0, clock.now() - event.oldestReadyAt));
        }
        return;
      default:
        events.inc({ event: event.type, topic: event.topic, group: event.group }, event.count);
    }
  };
}

/** The adapter's default hook. */
export const mqMetricsHook: MqMetricsHook = createMqMetricsHook();
