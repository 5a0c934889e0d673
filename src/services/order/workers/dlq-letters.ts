// Dead letters as data: what the DLQ worker stores from a message read off %DLQ%<group>, and the message a
// replay publishes back to the original topic. Pure, so both directions are unit-tested.
import type { MqMessage, MqSendRequest } from '../../../platform/mq';

export type TopicKind = 'NORMAL' | 'FIFO' | 'DELAY';

/** A consumer group whose dead letters are collected, and the topic it consumes. */
export interface DlqSource {
  readonly group: string;
  readonly topic: string;
  readonly kind: TopicKind;
}

/**
 * RocketMQ's own property names for the tag and the FIFO message group. The DLQ copy exposes the group as
 * `__SHARDINGKEY` among the properties; we keep the tag under `TAGS` next to it, so a replay can restore both
 * (a consumer may filter by tag; a FIFO topic refuses a message without a group).
 */
export const TAG_PROPERTY = 'TAGS';
export const MESSAGE_GROUP_PROPERTY = '__SHARDINGKEY';
const SYSTEM_PROPERTIES: ReadonlySet<string> = new Set([TAG_PROPERTY, MESSAGE_GROUP_PROPERTY]);

export interface NewDeadLetter {
  readonly topic: string;
  readonly consumerGroup: string;
  readonly messageId: string;
  readonly msgKey: string;
  readonly body: Buffer;
  readonly properties: Record<string, string>;
  readonly reason: string;
  readonly attempts: number;
  readonly createdAt: Date;
}

export interface StoredDeadLetter extends NewDeadLetter {
  readonly id: bigint;
  readonly replayedAt: Date | null;
  readonly replayMessageId: string | null;
}

const MAX_KEY = 255;
const MAX_REASON = 1024;

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The row for a message read from `%DLQ%<source.group>`. The DLQ copy keeps the original message id, keys,
 * body, properties, tag and group; its deliveryAttempt is the number of deliveries the source group made.
 */
export function deadLetterFromMessage(source: DlqSource, msg: MqMessage, reason: string, now: Date): NewDeadLetter {
  const properties: Record<string, string> = Object.fromEntries(msg.properties);
  if (msg.tag !== undefined && properties[TAG_PROPERTY] === undefined) properties[TAG_PROPERTY] = msg.tag;
  if (msg.messageGroup !== undefined && properties[MESSAGE_GROUP_PROPERTY] === undefined) {
    properties[MESSAGE_GROUP_PROPERTY] = msg.messageGroup;
  }
  return {
    topic: source.topic,
    consumerGroup: source.group,
    messageId: msg.messageId,
    msgKey: clip(msg.keys[0] ?? '', MAX_KEY),
    body: msg.body,
    properties,
    reason: clip(reason, MAX_REASON),
    attempts: msg.deliveryAttempt,
    createdAt: now,
  };
}

/** Default reason when the failing consumer left no note. */
export function exhaustedReason(source: DlqSource, attempts: number): string {
  return `no success after ${attempts} deliveries to ${source.group}`;
}

/** How long after a replay a DELAY-topic letter is delivered again (the topic accepts only delayed messages). */
export const REPLAY_DELAY_MS = 1_000;

/**
 * The message a replay publishes: original topic, key, body, user properties, tag and (FIFO) group. FIFO letters
 * without a recorded group fall back to the key, which is the order id our publishers group by.
 */
export function replayMessage(letter: NewDeadLetter, kind: TopicKind): MqSendRequest {
  const properties = Object.fromEntries(Object.entries(letter.properties).filter(([k]) => !SYSTEM_PROPERTIES.has(k)));
  const tag = letter.properties[TAG_PROPERTY];
  const base: MqSendRequest = {
    topic: letter.topic,
    body: letter.body,
    properties,
    ...(letter.msgKey !== '' ? { keys: [letter.msgKey] } : {}),
    ...(tag !== undefined && tag !== '' ? { tag } : {}),
  };
  switch (kind) {
    case 'FIFO':
      return { ...base, messageGroup: letter.properties[MESSAGE_GROUP_PROPERTY] || letter.msgKey || letter.messageId };
    case 'DELAY':
      return { ...base, delayMs: REPLAY_DELAY_MS };
    case 'NORMAL':
      return base;
  }
}

/** Kind of a stored letter's topic; letters of topics we no longer list replay as NORMAL. */
export function kindOfTopic(sources: readonly DlqSource[], topic: string): TopicKind {
  return sources.find(s => s.topic === topic)?.kind ?? 'NORMAL';
}
