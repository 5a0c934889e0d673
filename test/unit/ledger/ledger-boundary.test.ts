// The LedgerService boundary (admin credential, product id checks, wire mapping) and the table renderer,
// over a fake checker (pure logic: no store is involved).
import assert from 'node:assert/strict';
import { Metadata } from '@grpc/grpc-js';
import { ItemLedgerState } from '../../../src/gen/shop/v1/ledger';
import { createAdminGuard } from '../../../src/platform/admin-auth';
import { InvalidArgumentError, PermissionDeniedError, UnauthenticatedError, UnavailableError } from '../../../src/platform/errors';
import type { LedgerChecker } from '../../../src/services/ledger/ledger-checker';
import { reconcile } from '../../../src/services/ledger/reconciliation';
import { renderReconciliation, renderReport } from '../../../src/services/ledger/report-table';
import { createLedgerHandlers } from '../../../src/services/ledger/server';
import type { LedgerReport } from '../../../src/services/ledger/types';
import { testLogger } from '../../support/test-logger';

const report: LedgerReport = {
  clean: false,
  drained: true,
  checkedAt: '2026-11-21T08:00:00.000Z',
  window: { fromMs: Date.parse('2026-11-20T08:00:00.000Z'), toMs: Date.parse('2026-11-21T08:00:00.001Z') },
  items: [
    { sku: 'HOT', shard: 3, redisStock: 0, mysqlStock: 0, reserved: 1000, ordered: 1000, initial: 1000, unsynced: 0, state: 'CLEAN' },
    { sku: 'B', shard: 1, redisStock: 55, mysqlStock: 50, reserved: 0, ordered: 0, initial: 50, unsynced: 0, state: 'BREACH' },
    { sku: 'C', shard: 2, redisStock: null, mysqlStock: 7, reserved: 0, ordered: 0, initial: 7, unsynced: 0, state: 'NOT_WARMED' },
  ],
  breaches: [{ invariant: 'redis-equals-mysql', sku: 'B', detail: 'Redis stock 55 ≠ MySQL stock 50 with every change applied' }],
  backlog: {
    streams: [{ stream: '{inv:1}:stream:orders', group: 'order-forwarder', lag: null, pending: 2 }],
    streamEntries: 3,
    deadStreamEntries: 0,
    unsyncedChanges: 0,
    acceptedNotPersisted: ['o-1'],
    deadLetteredOrders: [],
    openDeadLetters: 0,
    cancelledUnreleased: 0,
    releasedAwaitingCancel: 0,
  },
  ordersChecked: 1000,
};

const fakeChecker = (fail = false): LedgerChecker & { calls: unknown[] } => {
  const calls: unknown[] = [];
  return {
    calls,
    async check(opts) {
      calls.push(opts);
      if (fail) throw new Error('connect ECONNREFUSED 127.0.0.1:6390');
      return report;
    },
    checkAll: async () => ({ report, reconciliation: reconcile({ accepted: new Map(), persisted: new Map(), binlog: null, deadLettered: new Set() }, { fromMs: 0, toMs: 1, graceMs: 0 }) }),
    reconciliation: async () => reconcile({ accepted: new Map([['x', 60_000]]), persisted: new Map(), binlog: null, deadLettered: new Set() }, { fromMs: 0, toMs: 600_000, graceMs: 3_600_000 }),
    waitForDrain: async () => true,
  };
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const isA = (C: abstract new (...args: any[]) => Error) => (e: unknown): boolean => e instanceof C;

function md(token?: string): Metadata {
  const m = new Metadata();
  if (token !== undefined) m.set('authorization', `Bearer ${token}`);
  return m;
}

const ctx = (metadata: Metadata) => ({ metadata }) as unknown as Parameters<ReturnType<typeof createLedgerHandlers>['check']>[1];

describe('ledger boundary', () => {
  const alert = { gapSinceMs: 5, alert: true };
  const handlers = (checker: LedgerChecker, token = 's3cret') =>
    createLedgerHandlers({ checker, admin: createAdminGuard(token), logger: testLogger('ledger'), alertState: () => alert, binlogStage: false });

  it('Check and GetReconciliation need the admin bearer token', async () => {
    const h = handlers(fakeChecker());
    await assert.rejects(async () => h.check({ productIds: [] }, ctx(md())), isA(UnauthenticatedError));
    await assert.rejects(async () => h.check({ productIds: [] }, ctx(md('wrong'))), isA(UnauthenticatedError));
    await assert.rejects(async () => h.getReconciliation({}, ctx(md())), isA(UnauthenticatedError));
    await assert.rejects(async () => handlers(fakeChecker(), '').check({ productIds: [] }, ctx(md('x'))), isA(PermissionDeniedError));
  });

  it('maps the report to the wire (null figures flagged, lists with totals)', async () => {
    const checker = fakeChecker();
    const wire = await handlers(checker).check({ productIds: ['B', 'B'] }, ctx(md('s3cret')));
    assert.deepEqual(checker.calls, [{ skus: ['B'] }]);
    assert.equal(wire.clean, false);
    assert.equal(wire.breachesTotal, 1n);
    assert.equal(wire.breaches[0]!.productId, 'B');
    const c = wire.items.find(i => i.productId === 'C')!;
    assert.equal(c.warmed, false);
    assert.equal(c.state, ItemLedgerState.ITEM_LEDGER_STATE_NOT_WARMED);
    assert.equal(wire.backlog!.streams[0]!.lag, -1n);
    assert.deepEqual(wire.backlog!.acceptedNotPersisted, ['o-1']);
  });

  it('bad product ids are INVALID_ARGUMENT naming the field; store failures UNAVAILABLE without detail', async () => {
    await assert.rejects(async () => handlers(fakeChecker()).check({ productIds: ['ok', 'bad id'] }, ctx(md('s3cret'))), (e: unknown) => e instanceof InvalidArgumentError && /product_ids\[1\]/.test(e.message));
    await assert.rejects(async () => handlers(fakeChecker(true)).check({ productIds: [] }, ctx(md('s3cret'))), (e: unknown) => e instanceof UnavailableError && !/ECONNREFUSED/.test(e.message));
  });

  it('GetReconciliation carries the job alert state', async () => {
    const r = await handlers(fakeChecker()).getReconciliation({}, ctx(md('s3cret')));
    assert.equal(r.alert, true);
    assert.equal(r.gapSince?.getTime(), 5);
    assert.equal(r.inFlight, 1n);
    assert.equal(r.binlogStage, false);
  });

  it('renders a table: one row per item, backlog, breaches by invariant', () => {
    const text = renderReport(report);
    const lines = text.split('\n');
    assert.match(lines[0]!, /BREACH \(1\)\s+drained\s+orders checked: 1000/);
    assert.match(text, /^sku\s+shard\s+redis\s+mysql\s+reserved\s+ordered\s+initial\s+unsynced\s+state$/m);
    assert.match(text, /^HOT\s+3\s+0\s+0\s+1000\s+1000\s+1000\s+0\s+CLEAN$/m);
    assert.match(text, /^C\s+2\s+-\s+7\s/m);
    assert.match(text, /\{inv:1\}:stream:orders \[order-forwarder\] lag \? pending 2/);
    assert.match(text, /redis-equals-mysql\s+sku=B\s+Redis stock 55/);
    assert.match(renderReconciliation(reconcile({ accepted: new Map([['x', 60_000]]), persisted: new Map([['x', 60_000]]), binlog: null, deadLettered: new Set() }, { fromMs: 0, toMs: 600_000, graceMs: 0 })), /1970-01-01T00:01Z\s+1\s+1\s+0/);
  });
});
