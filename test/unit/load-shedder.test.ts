import assert from 'node:assert/strict';
import { ResourceExhaustedError, UnavailableError } from '../../src/platform/errors';
import { createLoadShedder, type Admission } from '../../src/platform/load-shedder';

function admitted(a: Admission): Extract<Admission, { admitted: true }> {
  assert.ok(a.admitted, 'expected admission');
  return a;
}

describe('load shedder', () => {
  it('admits up to maxInFlight unary calls, refuses the next with RESOURCE_EXHAUSTED, and frees a slot on release (once)', () => {
    const shed = createLoadShedder({ maxInFlight: 2, maxStreams: 0, maxLoopDelayMs: 0 });
    const a = admitted(shed.admit('unary', '/x.S/M'));
    admitted(shed.admit('unary', '/x.S/M'));
    const refused = shed.admit('unary', '/x.S/M');
    assert.equal(refused.admitted, false);
    if (!refused.admitted) {
      assert.equal(refused.reason, 'in_flight');
      assert.ok(refused.error instanceof ResourceExhaustedError);
    }
    a.release();
    a.release(); // double release must not free two slots
    assert.equal(shed.inFlight('unary'), 1);
    admitted(shed.admit('unary', '/x.S/M'));
    assert.equal(shed.admit('unary', '/x.S/M').admitted, false);
  });

  it('counts streams separately from unary calls; 0 = no cap', () => {
    const shed = createLoadShedder({ maxInFlight: 1, maxStreams: 0, maxLoopDelayMs: 0 });
    for (let i = 0; i < 100; i++) admitted(shed.admit('stream', '/x.S/Watch'));
    admitted(shed.admit('unary', '/x.S/M'));
    const streamsCapped = createLoadShedder({ maxInFlight: 0, maxStreams: 1, maxLoopDelayMs: 0 });
    admitted(streamsCapped.admit('stream', '/x.S/Watch'));
    const r = streamsCapped.admit('stream', '/x.S/Watch');
    assert.ok(!r.admitted && r.reason === 'streams');
  });

  it('refuses unary calls with UNAVAILABLE while the event loop lags beyond the threshold; streams are not affected', () => {
    let lag = 0;
    const shed = createLoadShedder({ maxInFlight: 10, maxStreams: 10, maxLoopDelayMs: 200, loopDelay: { delayMs: () => lag } });
    admitted(shed.admit('unary', '/x.S/M')).release();
    lag = 201;
    const r = shed.admit('unary', '/x.S/M');
    assert.ok(!r.admitted && r.reason === 'event_loop' && r.error instanceof UnavailableError);
    assert.equal(shed.inFlight('unary'), 0, 'a refused call holds no slot');
    admitted(shed.admit('stream', '/x.S/Watch'));
    lag = 150;
    admitted(shed.admit('unary', '/x.S/M'));
  });

  it('ignores the loop delay when the threshold is 0', () => {
    const shed = createLoadShedder({ maxInFlight: 0, maxStreams: 0, maxLoopDelayMs: 0, loopDelay: { delayMs: () => 10_000 } });
    admitted(shed.admit('unary', '/x.S/M'));
  });
});
