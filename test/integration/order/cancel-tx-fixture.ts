// The cancellation transactional producer for tests, on the real broker: topic it-order-tx, half
// messages stamped with the suite's own database as origin (so suites sharing the broker never
// decide each other's half messages), the production checker reading that database.
import { createMqProducer, type MqProducer } from '../../../src/platform/mq';
import type { Logger } from '../../../src/platform/logger';
import { createCancelChecker } from '../../../src/services/order/cancel-check';
import type { CancelTransactions } from '../../../src/services/order/cancel-order';
import { originOf } from '../../../src/services/order/cancel-message';
import type { OrderRepo } from '../../../src/services/order/order-repo';
import { testConfig } from '../../support/test-config';

export const TX_TOPIC = 'it-order-tx';

export interface CancelTxFixture {
  readonly tx: CancelTransactions;
  readonly producer: MqProducer;
  readonly origin: string;
  stop(): Promise<void>;
}

export async function startCancelTx(opts: { repo: Pick<OrderRepo, 'getHeader'>; mysqlUrl: string; logger: Logger; localBudgetMs?: number }): Promise<CancelTxFixture> {
  const { rocketmq } = testConfig();
  const origin = originOf(opts.mysqlUrl);
  const producer = createMqProducer({
    endpoints: rocketmq.endpoints,
    namespace: rocketmq.namespace,
    startupTimeoutMs: rocketmq.startupTimeoutMs,
    topics: [TX_TOPIC],
    logger: opts.logger,
    checker: createCancelChecker({ repo: opts.repo, origin, logger: opts.logger }),
  });
  await producer.start();
  return {
    tx: { producer, topic: TX_TOPIC, origin, localBudgetMs: opts.localBudgetMs ?? 2_000 },
    producer,
    origin,
    stop: () => producer.stop(),
  };
}
