import { StartupError } from '../startup-error';

/**
 * The client could not reach the proxy or get its settings in time. A StartupError, so main prints the one line
 * (naming ROCKETMQ_ENDPOINTS) instead of a stack trace.
 */
export class MqStartupError extends StartupError {}

/** A send or transaction call on a producer that is not started or already stopped. */
export class MqNotRunningError extends Error {
  override readonly name = 'MqNotRunningError';
}

/** The message is invalid before it reaches the broker (e.g. delay together with a message group). */
export class MqInvalidMessageError extends Error {
  override readonly name = 'MqInvalidMessageError';
}
