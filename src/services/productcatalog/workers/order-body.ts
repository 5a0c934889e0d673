// The RocketMQ body of an order-created message. Reserve stores the OrderCreated protobuf base64'd in
// the stream (stream fields are text; see inventory/order-payload.ts), and the topic carries the
// protobuf bytes (events.proto). Decoding is strict: Buffer.from(x, 'base64') silently skips junk, so
// a payload that does not round-trip is refused (dead-lettered) instead of forwarded mangled.

export class BadOrderPayloadError extends Error {
  override readonly name = 'BadOrderPayloadError';
}

const BASE64_RE = /^[A-Za-z0-9+/]*={0,2}$/;

export function orderBodyFromPayload(payload: string): Buffer {
  if (payload === '' || payload.length % 4 !== 0 || !BASE64_RE.test(payload)) {
    throw new BadOrderPayloadError('order payload is not base64 (expected base64 of an OrderCreated protobuf)');
  }
  const body = Buffer.from(payload, 'base64');
  if (body.toString('base64') !== payload) throw new BadOrderPayloadError('order payload is not canonical base64');
  return body;
}
