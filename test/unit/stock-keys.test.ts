import assert from 'node:assert/strict';
import { attemptsKeyOf, createStockKeys, deadStreamOf } from '../../src/services/productcatalog/stock/stock-keys';

/** The part of a key Redis Cluster hashes: the first {...} with something inside. */
const hashTag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];

describe('stock keys', () => {
  const keys = createStockKeys({ shards: 16 });

  it('lays out every key of a shard under the shard tag {inv:N}', () => {
    assert.equal(keys.item(3, 'SKU-1'), '{inv:3}:item:SKU-1');
    assert.equal(keys.buyers(3, 'SKU-1'), '{inv:3}:buyers:SKU-1');
    assert.equal(keys.resv(3, 'order-9'), '{inv:3}:resv:order-9');
    assert.equal(keys.parts(3), '{inv:3}:parts');
    assert.equal(keys.ordersStream(3), '{inv:3}:stream:orders');
    assert.equal(keys.stockStream(3), '{inv:3}:stream:stock');
  });

  it('names the dead stream, rejection counters and settled ids of a stock stream under its tag (all key names live here)', () => {
    assert.equal(keys.stockDeadStream(3), '{inv:3}:stream:stock:dead');
    assert.equal(keys.stockAttempts(3), '{inv:3}:stream:stock:attempts');
    assert.equal(keys.stockSettled(3), '{inv:3}:stream:stock:settled');
    assert.equal(keys.stockSettledFloor(3), '{inv:3}:stream:stock:settled-floor');
    assert.equal(deadStreamOf(keys.ordersStream(3)), '{inv:3}:stream:orders:dead');
    assert.equal(attemptsKeyOf(keys.ordersStream(3)), '{inv:3}:stream:orders:attempts');
    for (const key of [keys.stockDeadStream(3), keys.stockAttempts(3), keys.stockSettled(3), keys.stockSettledFloor(3)]) assert.equal(hashTag(key), 'inv:3');
  });

  it('keeps the tag the hashed part even when an order id holds braces', () => {
    for (const key of [keys.item(7, 'A'), keys.resv(7, '{evil}'), keys.parts(7), keys.stockStream(7)]) assert.equal(hashTag(key), 'inv:7');
  });

  it('puts a namespace inside the tag, so test keys never share a slot owner with production by accident', () => {
    const ns = createStockKeys({ shards: 4, namespace: 't-1' });
    assert.equal(ns.item(2, 'A'), '{t-1:inv:2}:item:A');
    assert.equal(hashTag(ns.stockStream(2)), 't-1:inv:2');
  });

  it('routes a SKU to one shard and lists every shard', () => {
    assert.equal(keys.shardOf('SKU-1'), keys.shardOf('SKU-1'));
    assert.deepEqual(createStockKeys({ shards: 3 }).allShards(), [0, 1, 2]);
  });

  it('refuses a bad shard count or a namespace that could break the tag', () => {
    assert.throws(() => createStockKeys({ shards: 0 }), RangeError);
    assert.throws(() => createStockKeys({ shards: 1.5 }), RangeError);
    assert.throws(() => createStockKeys({ shards: 4, namespace: 'a}b' }), RangeError);
    assert.throws(() => createStockKeys({ shards: 4, namespace: 'a{b' }), RangeError);
  });
});
