// The order service's fulfilment background work, started by index.ts after the consumers and stopped
// in the 'drain' phase (each loop finishes the batch / pass in hand):
//   - timeout cancel (F5): payment-deadline consumer on order-timeout + the backstop scan;
//   - fulfilment (F6): ShipOrder / confirmation-email tasks + ShippingRecover;
//   - dead letters (F7): readers of %DLQ%<group> for every order consumer group.
// `onOrderChanges` is the order repo's commit listener for this part: a created order gets its
// payment-deadline timer, a PAID order its fulfilment tasks. Both are backed by scans, so a lost call
// only costs latency.
import { EmailServiceClient, ShippingServiceClient } from '../../gen/hipstershop/demo';
import { breakerSettings, createBreakers } from '../../platform/breaker';
import { createGrpcClient } from '../../platform/grpc-client';
import type { Logger } from '../../platform/logger';
import type { MqSendRequest, MqSendResult } from '../../platform/mq';
import type { Runtime } from '../runtime';
import { createConfirmationSender, createShipper } from './shipping/fulfilment-clients';
import { createTaskRepo } from './shipping/task-repo';
import { publishStatus } from './status-event';
import type { OrderChange } from './types';
import type { OrderParts } from './wiring';
import type { FailureNotes } from './workers/dlq-failure-notes';
import type { DeadLetterRepo } from './workers/dlq-repo';
import { orderDlqSources } from './workers/dlq-sources';
import { createDlqWorker } from './workers/dlq-worker';
import { createShippingWorkers } from './workers/shipping-workers';
import { scheduleCreatedOrders } from './workers/timeout-schedule';
import { createTimeoutWorkers } from './workers/timeout-workers';

export interface BackgroundWorkerDeps {
  readonly parts: OrderParts;
  /** Background-started producer listing order-created, order-status and order-timeout. */
  readonly producer: { send(m: MqSendRequest): Promise<MqSendResult> };
  readonly deadLetterRepo: DeadLetterRepo;
  readonly notes: FailureNotes;
  readonly logger: Logger;
}

export interface BackgroundWorkers {
  /** Finishes the batch / pass in hand, then resolves. */
  stop(): Promise<void>;
  /** Commit listener (chain it after the result writer): timers for new orders, tasks for PAID ones. Never throws. */
  onOrderChanges(changes: readonly OrderChange[]): Promise<void>;
}

export async function startBackgroundWorkers(rt: Runtime, deps: BackgroundWorkerDeps): Promise<BackgroundWorkers> {
  const { config, clock } = rt;
  const { parts, producer, logger } = deps;
  const db = (await rt.db()).db;
  const mq = { endpoints: config.rocketmq.endpoints, namespace: config.rocketmq.namespace, startupTimeoutMs: config.rocketmq.startupTimeoutMs };

  const timeouts = createTimeoutWorkers({
    mq,
    repo: parts.repo,
    cancel: parts.cancel,
    producer,
    deadLetters: deps.deadLetterRepo,
    notes: deps.notes,
    clock,
    logger,
    settings: config.order,
    releaseRedriveAfterMs: config.orderTx.releaseRedriveAfterMs,
    source: { group: config.orderCore.timeoutGroup, topic: config.orderCore.timeoutTopic, kind: 'DELAY' },
    startInBackground: true,
  });

  const breakers = createBreakers({ settings: breakerSettings(config), logger: logger.child({ component: 'breakers' }) });
  const shippingClient = createGrpcClient(ShippingServiceClient, config.addr.shipping);
  const emailClient = createGrpcClient(EmailServiceClient, config.addr.email);
  const fulfilment = createShippingWorkers({
    tasks: createTaskRepo(db),
    orders: parts.repo,
    shipper: createShipper(shippingClient, { ...breakers.unaryOptions('shipping', config.rpc.deadlineMs), clock }),
    email: createConfirmationSender(emailClient, { ...breakers.unaryOptions('email', config.rpc.deadlineMs), clock }),
    clock,
    logger,
    settings: config.order,
    publish: event => publishStatus(producer, config.orderCore.statusTopic, event),
  });

  const dlq = createDlqWorker({
    mq,
    sources: orderDlqSources(config.orderCore),
    repo: deps.deadLetterRepo,
    notes: deps.notes,
    clock,
    logger: logger.child({ component: 'dead-letters' }),
    startInBackground: true,
  });

  await Promise.all([timeouts.start(), dlq.start()]);
  fulfilment.start();

  return {
    async stop() {
      await Promise.all([timeouts.stop(), fulfilment.stop(), dlq.stop()]);
      breakers.shutdown();
      shippingClient.close();
      emailClient.close();
    },
    async onOrderChanges(changes) {
      await Promise.all([scheduleCreatedOrders(producer, changes, logger, { now: clock.now(), topic: config.orderCore.timeoutTopic }), fulfilment.onOrderChanges(changes)]);
    },
  };
}
