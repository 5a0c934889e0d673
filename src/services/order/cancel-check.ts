// The broker's check-back of a cancellation half message whose sender never resolved it (it died
// between its local commit and the commit of the half message, or its commit/rollback was lost).
// The order row is the truth: CANCELLED → commit (the stock must go back), anything else → rollback.
// The read is a locking read, so a cancel still inside its transaction is waited for, never judged
// half-way; a cancel that has not reached its UPDATE yet gives up after ORDER_TX_LOCAL_BUDGET_MS,
// which is below the broker's first check (transactionTimeOut), so it cannot commit after a rollback.
// A CANCELLED row commits even a half message of a cancel that lost a race to another one: the
// consumer's work is idempotent per order, so a second message costs one read.
import type { Logger } from '../../platform/logger';
import type { MqTransactionChecker, MqTransactionVerdict } from '../../platform/mq';
import { decodeCancelMessage, isOwnMessage } from './cancel-message';
import type { OrderRepo } from './order-repo';

export interface CancelCheckDeps {
  readonly repo: Pick<OrderRepo, 'getHeader'>;
  /** This deployment's order database (cancel-message.ts). */
  readonly origin: string;
  readonly logger: Logger;
}

/** A database error throws: the producer answers UNKNOWN and the broker asks again later. */
export function createCancelChecker(deps: CancelCheckDeps): MqTransactionChecker {
  return async (msg): Promise<MqTransactionVerdict> => {
    if (!isOwnMessage(msg, deps.origin)) return 'unknown';
    const intent = decodeCancelMessage(msg);
    if (typeof intent === 'string') {
      deps.logger.error({ messageId: msg.messageId, reason: intent }, 'malformed cancellation half message rolled back');
      return 'rollback';
    }
    const order = await deps.repo.getHeader(intent.orderId, 'update');
    const verdict: MqTransactionVerdict = order?.status === 'CANCELLED' ? 'commit' : 'rollback';
    deps.logger.info({ orderId: intent.orderId, status: order?.status ?? 'none', verdict }, 'cancellation check-back answered from the order row');
    return verdict;
  };
}
