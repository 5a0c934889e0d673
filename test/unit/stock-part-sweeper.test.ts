import assert from 'node:assert/strict';
import { ManualClock } from '../../src/platform/clock';
import { createPartSweeper, type SweepReport } from '../../src/services/productcatalog/stock/part-sweeper';

const EMPTY: SweepReport = { settled: 0, aborted: 0, cleaned: 0 };
const tick = () => new Promise(resolve => setImmediate(resolve));

describe('stock part sweeper loop', () => {
  it('sweeps once per interval of the injected clock', async () => {
    const clock = new ManualClock();
    let passes = 0;
    const sweeper = createPartSweeper({ sweep: async () => (passes++, EMPTY), clock, intervalMs: 5000 });
    sweeper.start();
    await tick();
    assert.equal(passes, 1);
    clock.advance(4999);
    await tick();
    assert.equal(passes, 1);
    clock.advance(1);
    await tick();
    assert.equal(passes, 2);
    await sweeper.stop();
  });

  it('keeps going after a failed pass and logs it', async () => {
    const clock = new ManualClock();
    const warnings: string[] = [];
    let passes = 0;
    const sweeper = createPartSweeper({
      sweep: async () => {
        if (++passes === 1) throw new Error('redis down');
        return EMPTY;
      },
      clock,
      intervalMs: 10,
      logger: { warn: (_obj, msg) => warnings.push(msg) },
    });
    sweeper.start();
    await tick();
    clock.advance(10);
    await tick();
    assert.equal(passes, 2);
    assert.equal(warnings.length, 1);
    await sweeper.stop();
  });

  it('stop() waits for the pass in flight, then ends without another', async () => {
    const clock = new ManualClock();
    let release!: () => void;
    let passes = 0;
    let finished = false;
    const sweeper = createPartSweeper({
      sweep: () =>
        new Promise<SweepReport>(resolve => {
          passes++;
          release = () => {
            finished = true;
            resolve(EMPTY);
          };
        }),
      clock,
      intervalMs: 10,
    });
    sweeper.start();
    await tick();
    const stopped = sweeper.stop();
    let done = false;
    void stopped.then(() => (done = true));
    await tick();
    assert.equal(done, false, 'still draining the pass in flight');
    release();
    await stopped;
    assert.equal(finished, true);
    clock.advance(1000);
    await tick();
    assert.equal(passes, 1);
  });
});
