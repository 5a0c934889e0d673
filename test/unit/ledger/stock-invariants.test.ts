import assert from 'node:assert/strict';
import { checkItem } from '../../../src/services/ledger/stock-invariants';
import type { ItemSnapshot } from '../../../src/services/ledger/types';

// 100 put in; 3 buyers hold 7 units; every change applied; 7 units in live orders.
const base: ItemSnapshot = {
  sku: 'HOT',
  shard: 3,
  redis: { stock: 93, limit: 3, seq: 5, synced: 5 },
  buyers: new Map([['u1', 3], ['u2', 2], ['u3', 2]]),
  mysql: { stock: 93, perUserLimit: 3 },
  loggedNet: -7,
  heldQty: 7,
  mysqlOverLimit: [],
};
const settled = { consistent: true, pipelineSettled: true };
const kinds = (s: ItemSnapshot, ctx = settled) => checkItem(s, ctx).breaches.map(b => b.invariant);

describe('ledger stock invariants', () => {
  it('a conserved, synced item is CLEAN with its figures', () => {
    const j = checkItem(base, settled);
    assert.deepEqual(j.breaches, []);
    assert.deepEqual(j.ledger, { sku: 'HOT', shard: 3, redisStock: 93, mysqlStock: 93, reserved: 7, ordered: 7, initial: 100, unsynced: 0, state: 'CLEAN' });
  });

  it('changes MySQL lacks (seq ≠ synced) leave Redis ≠ MySQL unjudged: IN_FLIGHT', () => {
    const j = checkItem({ ...base, redis: { ...base.redis!, stock: 91, seq: 7 }, buyers: new Map([...base.buyers, ['u4', 2]]) }, settled);
    assert.deepEqual(j.breaches, []);
    assert.equal(j.ledger.state, 'IN_FLIGHT');
    assert.equal(j.ledger.unsynced, 2);
  });

  it('an item that moved between the reads is not judged', () => {
    assert.deepEqual(kinds({ ...base, redis: { ...base.redis!, stock: 50 } }, { consistent: false, pipelineSettled: true }), []);
  });

  it('Redis ≠ MySQL with every change applied is a breach', () => {
    assert.deepEqual(kinds({ ...base, mysql: { stock: 92, perUserLimit: 3 }, loggedNet: -8 }), ['redis-equals-mysql', 'stock-conservation']);
  });

  it('Redis stock raised by hand breaks Redis = MySQL and conservation', () => {
    assert.deepEqual(kinds({ ...base, redis: { ...base.redis!, stock: 98 } }), ['redis-equals-mysql', 'stock-conservation']);
  });

  it('units in live orders that do not add up to the stock taken is a conservation breach once settled', () => {
    assert.deepEqual(kinds({ ...base, heldQty: 6 }), ['stock-conservation']);
    assert.deepEqual(kinds({ ...base, heldQty: 6 }, { consistent: true, pipelineSettled: false }), [], 'orders still on their way: not judged');
  });

  it('buyers not matching the applied changes is a conservation breach', () => {
    assert.deepEqual(kinds({ ...base, buyers: new Map([['u1', 3], ['u2', 2]]) }), ['stock-conservation']);
  });

  it('negative stock or holdings are breaches whatever is in flight', () => {
    const j = checkItem({ ...base, redis: { ...base.redis!, stock: -1, seq: 9 }, buyers: new Map([['u1', -2]]) }, { consistent: false, pipelineSettled: false });
    assert.deepEqual(j.breaches.map(b => [b.invariant, b.userId]), [['stock-non-negative', undefined], ['stock-non-negative', 'u1']]);
    assert.equal(j.ledger.state, 'BREACH');
  });

  it('a user above the limit is named, in Redis or in MySQL (once per user)', () => {
    const j = checkItem({ ...base, buyers: new Map([['u1', 4]]), mysqlOverLimit: [{ userId: 'u1', qty: 4 }, { userId: 'u9', qty: 5 }] }, { consistent: false, pipelineSettled: false });
    assert.deepEqual(j.breaches.map(b => [b.invariant, b.userId]), [['per-user-limit', 'u1'], ['per-user-limit', 'u9']]);
  });

  it('no limit (0) never breaches per-user-limit; an item not in Redis is NOT_WARMED', () => {
    assert.deepEqual(kinds({ ...base, redis: { ...base.redis!, limit: 0 }, buyers: new Map([['u1', 7]]) }), []);
    const j = checkItem({ ...base, redis: null, buyers: new Map() }, settled);
    assert.equal(j.ledger.state, 'NOT_WARMED');
    assert.equal(j.ledger.redisStock, null);
  });
});
