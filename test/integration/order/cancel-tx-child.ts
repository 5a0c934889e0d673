// Child process of order-cancel-tx.test.ts: the order service's cancel path, built from the production
// factories (repo, InventoryService client, transactional producer with the database checker, release
// consumer). Spec in CANCEL_CHILD_SPEC (JSON). Reports JSON lines on stdout.
//   mode 'crash-after-commit':  cancel `cancel[0]`; SIGKILL itself after the local commit, before the half-message commit
//   mode 'crash-before-local':  cancel `cancel[0]`; SIGKILL itself after the half message, before the local transaction
//   mode 'serve':               the restarted service: answer check-backs, consume releases, then cancel `cancel[]` normally
import { InventoryServiceClient } from '../../../src/gen/shop/v1/inventory';
import { ReleaseReason } from '../../../src/gen/shop/v1/common';
import { systemClock } from '../../../src/platform/clock';
import { loadConfig } from '../../../src/platform/config';
import { createDatabase } from '../../../src/platform/db';
import { createGrpcClient } from '../../../src/platform/grpc-client';
import { createLogger } from '../../../src/platform/logger';
import { createMqConsumer, createMqProducer, type MqConsumer } from '../../../src/platform/mq';
import { createCancelChecker } from '../../../src/services/order/cancel-check';
import { decodeCancelMessage, isOwnMessage, originOf } from '../../../src/services/order/cancel-message';
import { cancelOrder, type CancelHooks, type CancelOrderDeps } from '../../../src/services/order/cancel-order';
import { createInventoryReleaser } from '../../../src/services/order/clients/inventory-releaser';
import { createOrderRepo } from '../../../src/services/order/order-repo';
import { createReleaseHandler } from '../../../src/services/order/workers/release-consumer';

export interface CancelChildSpec {
  readonly mode: 'crash-after-commit' | 'crash-before-local' | 'serve';
  readonly mysqlUrl: string;
  readonly inventoryAddr: string;
  readonly adminToken: string;
  readonly topic: string;
  /** serve: the release consumer's group (fresh per run). */
  readonly group: string;
  readonly cancel: readonly string[];
}

const report = (msg: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(msg)}\n`);
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.CANCEL_CHILD_SPEC ?? '{}') as CancelChildSpec;
  const config = loadConfig({ ...process.env, MYSQL_URL: spec.mysqlUrl, MYSQL_POOL_SIZE: '4' });
  const logger = createLogger(config, 'cancel-child', { level: process.env.DEBUG ? 'debug' : 'silent' });
  const database = createDatabase(config, { logger });
  const repo = createOrderRepo(database.db, systemClock);
  const origin = originOf(spec.mysqlUrl);
  const check = createCancelChecker({ repo, origin, logger });
  const producer = createMqProducer({
    endpoints: config.rocketmq.endpoints,
    namespace: config.rocketmq.namespace,
    startupTimeoutMs: config.rocketmq.startupTimeoutMs,
    topics: [spec.topic],
    logger,
    checker: async m => {
      const verdict = await check(m);
      const intent = decodeCancelMessage(m);
      if (isOwnMessage(m, origin) && typeof intent !== 'string') report({ type: 'checked', orderId: intent.orderId, verdict });
      return verdict;
    },
  });
  await producer.start();
  const inventory = createInventoryReleaser(createGrpcClient(InventoryServiceClient, spec.inventoryAddr), spec.adminToken, { defaultDeadlineMs: 10_000 });
  const hooks: CancelHooks =
    spec.mode === 'crash-after-commit' ? { afterLocalCommit: die } : spec.mode === 'crash-before-local' ? { beforeLocalTransaction: die } : {};
  const deps: CancelOrderDeps = {
    repo,
    inventory,
    clock: systemClock,
    logger,
    tx: { producer, topic: spec.topic, origin, localBudgetMs: config.orderTx.localBudgetMs },
    publish: async e => report({ type: 'event', orderId: e.orderId, to: e.to }),
    hooks,
  };

  let consumer: MqConsumer | undefined;
  if (spec.mode === 'serve') {
    let polled = false;
    const handle = createReleaseHandler({
      cancel: deps,
      origin,
      logger,
      retryBackoff: { initialMs: 200, maxMs: 1_000, jitter: 0 },
      onReleased: (orderId, recordedHere) => report({ type: 'released', orderId, recordedHere }),
    });
    consumer = createMqConsumer({
      endpoints: config.rocketmq.endpoints,
      namespace: config.rocketmq.namespace,
      startupTimeoutMs: config.rocketmq.startupTimeoutMs,
      group: spec.group,
      topic: spec.topic,
      batchSize: 16,
      invisibleMs: 10_000,
      awaitMs: 1_000,
      logger,
      metrics: e => void (e.type === 'polled' && (polled = true)),
      handler: async batch => {
        for (const m of batch) {
          const intent = decodeCancelMessage(m);
          if (isOwnMessage(m, origin) && typeof intent !== 'string') report({ type: 'delivered', orderId: intent.orderId, attempt: m.deliveryAttempt });
        }
        return handle(batch);
      },
    });
    await consumer.start();
    while (!polled) await new Promise(r => setTimeout(r, 50));
  }
  report({ type: 'ready' });

  for (const orderId of spec.cancel) {
    const r = await cancelOrder(deps, orderId, { reason: 'cancelled by the test', releaseReason: ReleaseReason.RELEASE_REASON_USER_CANCELLED });
    report({ type: 'cancel', orderId, kind: r.kind, released: 'released' in r ? r.released : false });
  }
  if (spec.mode !== 'serve') throw new Error(`mode ${spec.mode}: the hook should have killed this process`);

  const stop = async (): Promise<void> => {
    await consumer?.stop();
    await producer.stop();
    await database.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
}

main().catch(err => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
