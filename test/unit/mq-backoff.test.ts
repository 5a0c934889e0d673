import assert from 'node:assert/strict';
import { backoffDelay } from '../../src/platform/mq/backoff';

describe('mq backoff', () => {
  const policy = { initialMs: 100, maxMs: 1_000, jitter: 0.5 };

  it('doubles per consecutive failure and caps at maxMs', () => {
    const noJitter = () => 0;
    assert.deepEqual([1, 2, 3, 4, 5, 50].map(n => backoffDelay(policy, n, noJitter)), [100, 200, 400, 800, 1_000, 1_000]);
  });

  it('jitter only shortens the delay, by at most the jitter fraction', () => {
    assert.equal(backoffDelay(policy, 5, () => 1), 500);
    assert.equal(backoffDelay(policy, 5, () => 0.5), 750);
  });

  it('treats a zero or negative failure count as the first failure', () => {
    assert.equal(backoffDelay(policy, 0, () => 0), 100);
  });
});
