import type { MessageOptions, MessageView } from 'rocketmq-client-nodejs';
import { MqInvalidMessageError } from './errors';
import type { MqMessage, MqSendRequest } from './types';

/** A fresh, mutable copy: the trace hook writes into it and the caller's object stays untouched. */
export function toPropertyMap(properties: MqSendRequest['properties']): Map<string, string> {
  if (!properties) return new Map();
  if (properties instanceof Map) return new Map(properties);
  return new Map(Object.entries(properties as Readonly<Record<string, string>>));
}

/** Validates what the client would otherwise reject with a bare TypeError (or silently misclassify). */
export function toMessageOptions(req: MqSendRequest, properties: Map<string, string>): MessageOptions {
  if (!req.topic) throw new MqInvalidMessageError('topic is required');
  if (!Buffer.isBuffer(req.body)) throw new MqInvalidMessageError('body must be a Buffer');
  if (req.deliverAt !== undefined && req.delayMs !== undefined) {
    throw new MqInvalidMessageError('deliverAt and delayMs are mutually exclusive');
  }
  if (req.delayMs !== undefined && !(Number.isFinite(req.delayMs) && req.delayMs > 0)) {
    throw new MqInvalidMessageError(`delayMs must be a positive number, got ${req.delayMs}`);
  }
  if (req.deliverAt !== undefined && Number.isNaN(req.deliverAt.getTime())) {
    throw new MqInvalidMessageError('deliverAt is an invalid Date');
  }
  const delayed = req.deliverAt !== undefined || req.delayMs !== undefined;
  if (delayed && req.messageGroup !== undefined) {
    throw new MqInvalidMessageError('a message cannot be both delayed and FIFO (messageGroup)');
  }
  if (req.messageGroup !== undefined && req.messageGroup.length === 0) {
    throw new MqInvalidMessageError('messageGroup must not be empty');
  }
  const options: MessageOptions = { topic: req.topic, body: req.body, properties };
  if (req.keys && req.keys.length > 0) options.keys = [...req.keys];
  if (req.tag !== undefined) options.tag = req.tag;
  if (req.messageGroup !== undefined) options.messageGroup = req.messageGroup;
  if (req.deliverAt !== undefined) options.deliveryTimestamp = req.deliverAt;
  if (req.delayMs !== undefined) options.delay = req.delayMs;
  return options;
}

export function toMqMessage(view: MessageView): MqMessage {
  return Object.freeze({
    messageId: view.messageId,
    topic: view.topic,
    body: view.body,
    keys: Object.freeze([...view.keys]),
    tag: view.tag || undefined,
    properties: new Map(view.properties),
    deliveryAttempt: view.deliveryAttempt ?? 1,
    bornAt: view.bornTimestamp,
    messageGroup: view.messageGroup || undefined,
    deliverAt: view.deliveryTimestamp,
  });
}
