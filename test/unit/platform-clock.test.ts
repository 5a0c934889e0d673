import assert from 'node:assert/strict';
import { ManualClock, systemClock } from '../../src/platform/clock';

describe('platform clock', () => {
  it('ManualClock wakes sleepers in time order only when advanced past their time', async () => {
    const clock = new ManualClock(1000);
    const woke: string[] = [];
    const a = clock.sleep(50).then(() => woke.push('a'));
    const b = clock.sleep(10).then(() => woke.push('b'));
    clock.advance(9);
    await Promise.resolve();
    assert.deepEqual(woke, []);
    assert.equal(clock.pendingSleeps, 2);
    clock.advance(41);
    await Promise.all([a, b]);
    assert.deepEqual(woke, ['b', 'a']);
    assert.equal(clock.now(), 1050);
  });

  it('ManualClock sleep rejects with AbortError when aborted', async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    const p = clock.sleep(100, ac.signal);
    ac.abort();
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    assert.equal(clock.pendingSleeps, 0);
  });

  it('systemClock sleep is abortable', async () => {
    const ac = new AbortController();
    const p = systemClock.sleep(60_000, ac.signal);
    ac.abort();
    await assert.rejects(p, (e: Error) => e.name === 'AbortError');
    await assert.rejects(systemClock.sleep(1, ac.signal), (e: Error) => e.name === 'AbortError');
  });
});
