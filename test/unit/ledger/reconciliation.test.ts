import assert from 'node:assert/strict';
import { MINUTE_MS, nextAlertState, reconcile } from '../../../src/services/ledger/reconciliation';

const T0 = 1_800_000_000_000 - (1_800_000_000_000 % MINUTE_MS);
const w = { fromMs: T0, toMs: T0 + 10 * MINUTE_MS, graceMs: 2 * MINUTE_MS };
const m = (entries: [string, number][]) => new Map(entries);

describe('ledger reconciliation (accepted vs persisted vs binlog)', () => {
  it('counts every id in its acceptance minute, whatever each stage lagged', () => {
    const accepted = m([['a', T0 + 1000], ['b', T0 + 59_000], ['c', T0 + MINUTE_MS + 5]]);
    const persisted = m([['a', T0 + 1000], ['b', T0 + 59_000], ['c', T0 + MINUTE_MS + 5]]);
    const binlog = m([['a', T0 + 3 * MINUTE_MS], ['b', T0 + 70_000], ['c', T0 + 2 * MINUTE_MS]]);
    const r = reconcile({ accepted, persisted, binlog, deadLettered: new Set() }, w);
    assert.deepEqual(r.minutes, [
      { minute: T0, accepted: 2, persisted: 2, binlog: 2 },
      { minute: T0 + MINUTE_MS, accepted: 1, persisted: 1, binlog: 1 },
    ]);
    assert.equal(r.gap, 0);
  });

  it('lists ids missing at each stage; young ones are in flight; deleted rows at once', () => {
    const old = T0 + MINUTE_MS;
    const young = w.toMs - 1000;
    const accepted = m([['lost', old], ['deleted', young], ['fresh', young], ['dead', old], ['ok', old]]);
    const persisted = m([['ok', old], ['stray', old]]);
    const binlog = m([['deleted', young], ['stray', old]]);
    const r = reconcile({ accepted, persisted, binlog, deadLettered: new Set(['dead']) }, w);
    assert.deepEqual(r.notPersisted, ['deleted', 'lost']);
    assert.deepEqual(r.deletedRows, ['deleted']);
    assert.deepEqual(r.inFlight, ['fresh']);
    assert.deepEqual(r.notInBinlog, ['ok']);
    assert.deepEqual(r.notAccepted, ['stray']);
    assert.equal(r.deadLettered, 1);
    assert.equal(r.gap, 4);
  });

  it("another database's binlog inserts (neither accepted nor persisted here) are not judged", () => {
    const at = T0 + MINUTE_MS;
    // The CDC consumer of a shared change topic records inserts of every database on the server.
    const binlog = m([['ours', at], ['theirs-1', at], ['theirs-2', w.toMs - 1]]);
    const r = reconcile({ accepted: m([['ours', at]]), persisted: m([['ours', at]]), binlog, deadLettered: new Set() }, w);
    assert.deepEqual(r.deletedRows, []);
    assert.deepEqual(r.notPersisted, []);
    assert.deepEqual(r.notAccepted, []);
    assert.deepEqual(r.minutes, [{ minute: at, accepted: 1, persisted: 1, binlog: 1 }]);
    assert.equal(r.foreignBinlog, 2);
    assert.equal(r.gap, 0);
  });

  it('without a binlog stage only accepted vs persisted count', () => {
    const r = reconcile({ accepted: m([['a', T0]]), persisted: m([['a', T0]]), binlog: null, deadLettered: new Set() }, w);
    assert.equal(r.gap, 0);
    assert.deepEqual(r.minutes, [{ minute: T0, accepted: 1, persisted: 1, binlog: 0 }]);
  });

  it('ids outside the window are left out', () => {
    const r = reconcile({ accepted: m([['a', T0 - 1]]), persisted: new Map(), binlog: new Map(), deadLettered: new Set() }, w);
    assert.deepEqual(r.minutes, []);
    assert.equal(r.gap, 0);
  });

  it('alerts when the gap stays above zero for the lag; one zero reading resets', () => {
    let s = nextAlertState({ gapSinceMs: null, alert: false }, 2, 1000, 5000);
    assert.deepEqual(s, { gapSinceMs: 1000, alert: false });
    s = nextAlertState(s, 1, 5999, 5000);
    assert.equal(s.alert, false);
    s = nextAlertState(s, 3, 6000, 5000);
    assert.deepEqual(s, { gapSinceMs: 1000, alert: true });
    s = nextAlertState(s, 0, 7000, 5000);
    assert.deepEqual(s, { gapSinceMs: null, alert: false });
    assert.equal(nextAlertState(s, 1, 8000, 0).alert, true);
  });
});
