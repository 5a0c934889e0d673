// The transactional cancellation's pure parts: message round trip and origin, the check-back verdicts
// from the order row, and the release consumer's decisions (fakes for the repo and the inventory).
import assert from 'node:assert/strict';
import { ReleaseReason } from '../../src/gen/shop/v1/common';
import { ManualClock } from '../../src/platform/clock';
import type { MqMessage, MqOutcome } from '../../src/platform/mq';
import { createCancelChecker } from '../../src/services/order/cancel-check';
import { cancelMessage, decodeCancelMessage, originOf, ORIGIN_PROPERTY } from '../../src/services/order/cancel-message';
import type { OrderStatusName } from '../../src/services/order/state-machine';
import type { OrderHeader } from '../../src/services/order/types';
import { createReleaseHandler } from '../../src/services/order/workers/release-consumer';
import { testLogger } from '../support/test-logger';

const logger = testLogger('cancel-tx-unit');
const target = { topic: 'order-tx', origin: 'shop' };

function asDelivered(orderId: string, origin = 'shop', attempt = 1): MqMessage {
  const m = cancelMessage({ ...target, origin }, { orderId, releaseReason: ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT, reason: 'late', requestedAt: new Date(1_000) });
  return {
    messageId: `m-${orderId}`, topic: m.topic, body: m.body, keys: m.keys ?? [], tag: m.tag,
    properties: new Map(Object.entries(m.properties as Record<string, string>)),
    deliveryAttempt: attempt, bornAt: undefined, messageGroup: undefined, deliverAt: undefined,
  };
}

function header(orderId: string, status: OrderStatusName, stockReleasedAt: Date | null = null): OrderHeader {
  return { orderId, userId: 'u1', status, stockReleasedAt, failureReason: 'late', updatedAt: new Date(2_000) } as OrderHeader;
}

describe('order: cancellation as a transactional message (pure parts)', () => {
  it('message round trip: key = order id, origin property, intent decoded; garbage is refused', () => {
    const m = asDelivered('o-1');
    assert.deepEqual(m.keys, ['o-1']);
    assert.equal(m.properties.get(ORIGIN_PROPERTY), 'shop');
    assert.deepEqual(decodeCancelMessage(m), { orderId: 'o-1', releaseReason: ReleaseReason.RELEASE_REASON_PAYMENT_TIMEOUT, reason: 'late', requestedAt: new Date(1_000) });
    assert.match(decodeCancelMessage({ ...m, body: Buffer.from([0xff, 0xff]) }) as string, /undecodable/);
    assert.equal(originOf('mysql://shop:shop@127.0.0.1:3316/it_abc?x=1'), 'it_abc');
  });

  it('check-back: CANCELLED → commit, any other status or no row → rollback, another database → unknown, locking read', async () => {
    const rows = new Map<string, OrderHeader>([['c', header('c', 'CANCELLED')], ['p', header('p', 'PAID')], ['u', header('u', 'PENDING_PAYMENT')]]);
    const locks: Array<string | undefined> = [];
    const check = createCancelChecker({
      repo: { getHeader: async (id, lock) => (locks.push(lock), rows.get(id)) },
      origin: 'shop',
      logger,
    });
    assert.equal(await check(asDelivered('c')), 'commit');
    assert.equal(await check(asDelivered('p')), 'rollback');
    assert.equal(await check(asDelivered('u')), 'rollback');
    assert.equal(await check(asDelivered('missing')), 'rollback');
    assert.equal(await check(asDelivered('c', 'other-db')), 'unknown');
    assert.deepEqual(locks, ['update', 'update', 'update', 'update']);
  });

  it('release consumer: releases an unreleased CANCELLED order once, skips a released one, announces both, retries failures', async () => {
    const rows = new Map<string, OrderHeader>([
      ['fresh', header('fresh', 'CANCELLED')],
      ['done', header('done', 'CANCELLED', new Date(3_000))],
      ['paid', header('paid', 'PAID')],
      ['flaky', header('flaky', 'CANCELLED')],
    ]);
    const released: string[] = [];
    const marked: string[] = [];
    const announced: string[] = [];
    const handle = createReleaseHandler({
      cancel: {
        clock: new ManualClock(5_000),
        repo: {
          getHeader: async (id: string) => rows.get(id),
          markStockReleased: async (id: string) => (marked.push(id), true),
        } as never,
        inventory: {
          async release(id) {
            if (id === 'flaky') throw new Error('UNAVAILABLE');
            released.push(id);
            return 'released';
          },
        },
        publish: async e => void announced.push(e.orderId),
      },
      origin: 'shop',
      logger,
      retryBackoff: { initialMs: 100, maxMs: 1_000, jitter: 0 },
    });
    const outcomes: readonly MqOutcome[] = await handle([asDelivered('fresh'), asDelivered('done'), asDelivered('paid'), asDelivered('flaky', 'shop', 3), asDelivered('fresh', 'other-db')]);
    assert.deepEqual(outcomes.map(o => o.kind), ['ack', 'ack', 'ack', 'retry', 'ack']);
    assert.deepEqual(outcomes[3], { kind: 'retry', delayMs: 400 });
    assert.deepEqual(released, ['fresh']);
    assert.deepEqual(marked, ['fresh']);
    assert.deepEqual(announced.sort(), ['done', 'fresh']);
  });
});
