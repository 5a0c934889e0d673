// The order-created payload Reserve hands to the Lua script, which writes it to the orders stream
// untouched. It is the whole OrderDraft checkout sent (every field, so nothing can be dropped on the
// way to the order service — seckill.md §1.11 f) wrapped in shop.v1.OrderCreated, protobuf-encoded
// and base64'd (script arguments and stream fields are handled as text by the stock code).
// The forwarder publishes decodeOrderPayloadBytes(payload) as the RocketMQ message body.
import { OrderCreated } from '../../../gen/shop/v1/events';
import type { OrderDraft } from '../../../gen/shop/v1/common';

export function encodeOrderPayload(draft: OrderDraft, reservedAt: Date, traceContext: Readonly<Record<string, string>>): string {
  const message: OrderCreated = { order: draft, reservedAt, traceContext: { ...traceContext } };
  return Buffer.from(OrderCreated.encode(message).finish()).toString('base64');
}

/** The protobuf bytes of OrderCreated (the RocketMQ message body). */
export function decodeOrderPayloadBytes(payload: string): Buffer {
  return Buffer.from(payload, 'base64');
}

export function decodeOrderPayload(payload: string): OrderCreated {
  return OrderCreated.decode(decodeOrderPayloadBytes(payload));
}
