// Our own message-bus vocabulary, so nothing outside src/platform/mq imports rocketmq-client-nodejs types.

/** The subset of pino we use; pino's Logger satisfies it structurally. */
export interface MqLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What a consumer handler sees. Properties are a Map so trace context can be extracted with a Map getter. */
export interface MqMessage {
  readonly messageId: string;
  readonly topic: string;
  readonly body: Buffer;
  readonly keys: readonly string[];
  readonly tag: string | undefined;
  readonly properties: ReadonlyMap<string, string>;
  /** 1 on first delivery; the broker moves the message to %DLQ%<group> after retryMaxTimes + 1 attempts. */
  readonly deliveryAttempt: number;
  readonly bornAt: Date | undefined;
  readonly messageGroup: string | undefined;
  readonly deliverAt: Date | undefined;
}

export interface MqSendRequest {
  readonly topic: string;
  readonly body: Buffer;
  readonly keys?: readonly string[];
  readonly tag?: string;
  readonly properties?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /** FIFO topics only: messages sharing a group are delivered in send order. */
  readonly messageGroup?: string;
  /** DELAY topics only; exclusive with delayMs. The broker's timer wheel has 1 s precision. */
  readonly deliverAt?: Date;
  readonly delayMs?: number;
}

export interface MqSendResult {
  readonly messageId: string;
}

/** Per-message verdict of a consumer handler. */
export type MqOutcome =
  | { readonly kind: 'ack' }
  | { readonly kind: 'retry'; readonly delayMs: number };

export const ack: MqOutcome = Object.freeze({ kind: 'ack' });
/** Redelivery comes through the broker's revive service: expect it a few seconds after delayMs, never before. */
export const retryLater = (delayMs: number): MqOutcome => ({ kind: 'retry', delayMs });

/** Same length and order as the batch. Called only with non-empty batches. */
export type MqBatchHandler = (batch: readonly MqMessage[]) => Promise<readonly MqOutcome[]>;

export type MqMetricEvent =
  | { readonly type: 'sent'; readonly topic: string }
  | { readonly type: 'send_failed'; readonly topic: string }
  | { readonly type: 'polled'; readonly group: string; readonly topic: string; readonly count: number }
  | { readonly type: 'receive_failed'; readonly group: string; readonly topic: string }
  | { readonly type: 'acked'; readonly group: string; readonly topic: string; readonly count: number }
  | { readonly type: 'retried'; readonly group: string; readonly topic: string; readonly count: number }
  | { readonly type: 'settle_failed'; readonly group: string; readonly topic: string; readonly count: number }
  | { readonly type: 'handler_failed'; readonly group: string; readonly topic: string }
  /** A batch reached the handler; oldestReadyAt = earliest (born or delivery) time in it, epoch ms (consumer lag). */
  | { readonly type: 'delivered'; readonly group: string; readonly topic: string; readonly count: number; readonly oldestReadyAt: number | undefined };

/** A plain callback that must not throw; default: Prometheus counters (platform/metrics/mq-metrics.ts). */
export type MqMetricsHook = (event: MqMetricEvent) => void;

/**
 * Trace-context hook (style.md §6). `inject` writes the active context into the outgoing Map with a Map setter;
 * `aroundBatch` runs the handler inside a CONSUMER span linked to each message's extracted context.
 */
export interface MqTraceHooks {
  inject?(properties: Map<string, string>, topic: string): void;
  aroundBatch?<T>(topic: string, batch: readonly MqMessage[], run: () => Promise<T>): Promise<T>;
}

/** Answer to a broker back-check of a half message. 'unknown' leaves it for the next check. */
export type MqTransactionVerdict = 'commit' | 'rollback' | 'unknown';
export type MqTransactionChecker = (message: MqMessage) => Promise<MqTransactionVerdict>;
