// keepConsuming: the order service's start-with-retries loop must stop promptly whatever phase it is in
// (a stop during a start attempt used to sleep through the next backoff, up to 30 s, and the process's
// shutdown timed out).
import assert from 'node:assert/strict';
import type { MqConsumer } from '../../src/platform/mq';
import { keepConsuming, restartDelayMs } from '../../src/services/order/workers/order-consumers';
import { testLogger } from '../support/test-logger';

/** A consumer whose start() settles when the test says so. */
function fakeConsumer() {
  let settle: (ok: boolean) => void = () => undefined;
  let called: () => void = () => undefined;
  const startCalled = new Promise<void>(resolve => (called = resolve));
  const consumer: MqConsumer & { stops: number } = {
    stops: 0,
    start: () => {
      called();
      return new Promise<void>((ok, fail) => (settle = good => (good ? ok() : fail(new Error('no route for %DLQ%GID_x')))));
    },
    stop: async () => {
      consumer.stops += 1;
    },
  };
  return { consumer, startCalled, settle: (ok: boolean) => settle(ok) };
}

/** A backoff no test outlives: a loop that sleeps through it hangs the test (mocha's timeout fails it). */
const FOREVER = () => 3_600_000;

describe('order: keepConsuming stops in every phase', () => {
  it('stop during a failing start: no further attempt, no backoff sleep', async () => {
    const made: ReturnType<typeof fakeConsumer>[] = [];
    const loop = keepConsuming(() => made[made.push(fakeConsumer()) - 1]!.consumer, testLogger(), 'dlq', FOREVER);
    await made[0]!.startCalled;
    const stopped = loop.stop();
    made[0]!.settle(false);
    await stopped;
    assert.equal(made.length, 1, 'no second start attempt after stop');
    assert.ok(made[0]!.consumer.stops >= 1, 'the failed consumer was stopped');
  });

  it('stop during the backoff wakes it', async () => {
    const made: ReturnType<typeof fakeConsumer>[] = [];
    const loop = keepConsuming(() => made[made.push(fakeConsumer()) - 1]!.consumer, testLogger(), 'dlq', FOREVER);
    await made[0]!.startCalled;
    made[0]!.settle(false);
    await new Promise(resolve => setImmediate(resolve)); // the loop is now in its backoff
    await loop.stop();
    assert.equal(made.length, 1);
  });

  it('stop during a start that succeeds stops the started consumer', async () => {
    const made: ReturnType<typeof fakeConsumer>[] = [];
    const loop = keepConsuming(() => made[made.push(fakeConsumer()) - 1]!.consumer, testLogger(), 'orders', FOREVER);
    await made[0]!.startCalled;
    const stopped = loop.stop();
    made[0]!.settle(true);
    await stopped;
    assert.equal(made[0]!.consumer.stops, 1);
  });

  it('backoff doubles from 2 s and is capped at 30 s', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 9].map(restartDelayMs), [2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });
});
