// Sends one transaction's change events to the FIFO topic. Events of one row (one message group) go one
// after another in binlog order, so the broker delivers them in that order; different rows go in
// parallel. The message key is the event's idempotency key; the tag is the table (consumers filter on it).
import { RowChanged } from '../../gen/shop/v1/events';
import type { MqSendRequest, MqSendResult } from '../../platform/mq';
import type { ChangeEvent } from './change-events';

export type Send = (message: MqSendRequest) => Promise<MqSendResult>;

export function toMessage(topic: string, change: ChangeEvent): MqSendRequest {
  return {
    topic,
    body: Buffer.from(RowChanged.encode(change.event).finish()),
    keys: [change.key],
    tag: change.event.table,
    messageGroup: change.group,
  };
}

/** Resolves when every event was accepted by the broker; rejects on the first failure (the caller retries all). */
export async function publishEvents(send: Send, topic: string, events: readonly ChangeEvent[], parallel = 16): Promise<void> {
  const groups = new Map<string, ChangeEvent[]>();
  for (const e of events) {
    const list = groups.get(e.group);
    if (list) list.push(e);
    else groups.set(e.group, [e]);
  }
  const queue = [...groups.values()];
  const lanes = Array.from({ length: Math.min(parallel, queue.length) }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      for (const change of next) await send(toMessage(topic, change));
    }
  });
  await Promise.all(lanes);
}
