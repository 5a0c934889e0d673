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
