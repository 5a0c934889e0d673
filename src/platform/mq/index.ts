// Message bus over rocketmq-client-nodejs 1.0.8. Nothing outside this folder imports client types.
// - createMqProducer: send (NORMAL / FIFO via messageGroup / DELAY via deliverAt|delayMs), transactions with a checker.
// - createMqConsumer: SimpleConsumer loop, batch handler answering ack | retryLater per message, backoff while the
//   broker is down, stop() drains the batch in hand. createDlqReader reads %DLQ%<group> with another group.
// - Start-up has its own timeout and every failure path shuts the client down, so a process can always exit.
export { createMqProducer } from './producer';
export type { MqProducer, MqProducerOptions, MqPendingTransaction, MqTransactionResult } from './producer';
export { createMqConsumer } from './consumer';
export type { MqConsumer, MqConsumerOptions } from './consumer';
export { createDlqReader, dlqTopicOf, dlqReaderGroupOf } from './dlq';
export type { MqDlqReaderOptions } from './dlq';
export { defaultReceiveBackoff } from './backoff';
export type { BackoffPolicy } from './backoff';
export { MqStartupError, MqNotRunningError, MqInvalidMessageError } from './errors';
export { ack, retryLater } from './types';
export type {
  MqLogger, MqMessage, MqSendRequest, MqSendResult, MqOutcome, MqBatchHandler, MqMetricEvent, MqMetricsHook,
  MqTraceHooks, MqTransactionChecker, MqTransactionVerdict,
} from './types';
