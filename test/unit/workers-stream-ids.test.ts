import assert from 'node:assert/strict';
import { compareStreamIds, minStreamId, nextStreamId, streamIdTime } from '../../src/services/productcatalog/workers/stream-ids';
import { trimFloor } from '../../src/services/productcatalog/workers/trim-floor';
import { lagMs } from '../../src/services/productcatalog/workers/forwarder-lag';

describe('workers: stream ids and trim floor', () => {
  it('compares ids numerically, including sequence parts beyond 2^53', () => {
    assert.equal(compareStreamIds('9-0', '10-0'), -1);
    assert.equal(compareStreamIds('10-2', '10-10'), -1);
    assert.equal(compareStreamIds('10-18446744073709551614', '10-18446744073709551615'), -1);
    assert.equal(compareStreamIds('10-1', '10-1'), 0);
    assert.equal(minStreamId(['5-1', '10-0', '5-0']), '5-0');
    assert.equal(minStreamId([]), undefined);
    assert.equal(nextStreamId('10-18446744073709551614'), '10-18446744073709551615');
    assert.equal(streamIdTime('1700000000123-4'), 1700000000123);
    assert.throws(() => compareStreamIds('x', '1-0'), /bad stream id/);
  });

  it('floor = min over groups of (oldest pending, else the entry after last delivered)', () => {
    const floor = trimFloor(
      [
        { name: 'a', lastDeliveredId: '50-0', minPendingId: null },
        { name: 'b', lastDeliveredId: '60-0', minPendingId: '40-3' },
      ],
      ['a', 'b'],
    );
    assert.equal(floor, '40-3');
    assert.equal(trimFloor([{ name: 'a', lastDeliveredId: '50-0', minPendingId: null }], ['a']), '50-1');
  });

  it('trims nothing without groups, with a required group missing, or before anything was delivered', () => {
    assert.equal(trimFloor([], []), null);
    assert.equal(trimFloor([{ name: 'a', lastDeliveredId: '50-0', minPendingId: null }], ['a', 'b']), null);
    assert.equal(
      trimFloor(
        [
          { name: 'a', lastDeliveredId: '50-0', minPendingId: null },
          { name: 'late', lastDeliveredId: '0-0', minPendingId: null },
        ],
        ['a'],
      ),
      null,
    );
  });

  it('lag is the age of the oldest unforwarded entry, 0 when none', () => {
    assert.equal(lagMs(null, 5000), 0);
    assert.equal(lagMs('4000-7', 5000), 1000);
    assert.equal(lagMs('6000-0', 5000), 0, 'clock skew never reports negative lag');
  });
});
