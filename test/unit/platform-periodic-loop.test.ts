// The background loop behind the order service's scans and pollers (src/platform/periodic-loop.ts), on a manual clock.
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/platform/clock';
import { createPeriodicLoop } from '../../src/platform/periodic-loop';
import { testLogger } from '../support/test-logger';

const tick = () => new Promise(resolve => setImmediate(resolve));
async function settle(clock: ManualClock): Promise<void> {
  for (let i = 0; i < 20 && clock.pendingSleeps === 0; i++) await tick();
}

describe('order periodic loop', () => {
  it('runs a pass at start, then one per interval; a full batch runs again at once', async () => {
    const clock = new ManualClock();
    let passes = 0;
    let more = 2;
    const loop = createPeriodicLoop(async () => {
      passes++;
      return more-- > 0;
    }, { name: 't', intervalMs: 1_000, clock, logger: testLogger() });
    loop.start();
    await settle(clock);
    assert.equal(passes, 3, 'two "more" answers → two immediate passes');
    clock.advance(999);
    await tick();
    assert.equal(passes, 3);
    clock.advance(1);
    await settle(clock);
    assert.equal(passes, 4);
    await loop.stop();
  });

  it('wake() starts the next pass now; stop() waits for the pass in flight', async () => {
    const clock = new ManualClock();
    let passes = 0;
    let release: (() => void) | undefined;
    const loop = createPeriodicLoop(async () => {
      passes++;
      if (passes === 2) await new Promise<void>(r => (release = r));
      return false;
    }, { name: 't', intervalMs: 60_000, clock, logger: testLogger() });
    loop.start();
    await settle(clock);
    loop.wake();
    for (let i = 0; i < 20 && !release; i++) await tick();
    assert.equal(passes, 2);
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await tick();
    assert.equal(stopped, false, 'the pass in flight is finished first');
    release!();
    await stopping;
    assert.equal(passes, 2);
  });

  it('a failing pass is logged and retried next interval; the loop keeps going', async () => {
    const clock = new ManualClock();
    let passes = 0;
    const loop = createPeriodicLoop(async () => {
      passes++;
      if (passes === 1) throw new Error('db down');
      return false;
    }, { name: 't', intervalMs: 500, clock, logger: testLogger() });
    loop.start();
    await settle(clock);
    clock.advance(500);
    await settle(clock);
    assert.equal(passes, 2);
    await loop.stop();
  });

  it('runOnce never overlaps a running pass', async () => {
    const clock = new ManualClock();
    let inFlight = 0;
    let max = 0;
    const loop = createPeriodicLoop(async () => {
      inFlight++;
      max = Math.max(max, inFlight);
      await tick();
      inFlight--;
      return false;
    }, { name: 't', intervalMs: 500, clock, logger: testLogger() });
    loop.start();
    await Promise.all([loop.runOnce(), loop.runOnce(), loop.runOnce()]);
    await loop.stop();
    assert.equal(max, 1);
  });
});
