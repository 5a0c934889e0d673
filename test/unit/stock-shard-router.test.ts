import assert from 'node:assert/strict';
import { fnv1a32, groupByShard, shardOf } from '../../src/services/productcatalog/stock/shard-router';

describe('stock shard router', () => {
  it('fnv1a32 matches the published FNV-1a 32-bit test vectors', () => {
    assert.equal(fnv1a32(''), 0x811c9dc5);
    assert.equal(fnv1a32('a'), 0xe40c292c);
    assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  });

  it('hashes UTF-8 bytes, not UTF-16 code units', () => {
    const byBytes = (bytes: number[]) => bytes.reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5);
    assert.equal(fnv1a32('é'), byBytes([0xc3, 0xa9]));
    assert.equal(fnv1a32('€1'), byBytes([0xe2, 0x82, 0xac, 0x31]));
  });

  it('is stable and in range for every shard count', () => {
    for (const shards of [1, 2, 3, 16, 1000]) {
      for (let i = 0; i < 200; i++) {
        const s = shardOf(`SKU-${i}`, shards);
        assert.ok(Number.isInteger(s) && s >= 0 && s < shards);
      }
    }
  });

  it('keeps the upstream product ids on their shards (changing the hash would strand warmed items)', () => {
    const upstream = ['OLJCESPC7Z', '66VCHSJNUP', '1YMWWN1N4O', 'L9ECAV7KIM', '2ZYFJ3GM2N', '0PUK6V6EV0', 'LS4PSXUNUM', '9SIQT8TOJO', '6E92ZMYYFZ'];
    assert.deepEqual(upstream.map(s => shardOf(s, 16)), [5, 2, 0, 1, 13, 6, 6, 1, 12]);
  });

  it('spreads the upstream catalogue-like ids over 16 shards', () => {
    const used = new Set(Array.from({ length: 400 }, (_, i) => shardOf(`P${i.toString(36).toUpperCase()}`, 16)));
    assert.equal(used.size, 16);
  });

  it('groups lines by shard, shards ascending, request order and index kept within a shard', () => {
    const lines = ['a', 'b', 'c', 'd', 'e', 'f'].map((sku, index) => ({ sku, qty: index + 1, index }));
    const groups = groupByShard(lines, 3);
    assert.deepEqual(groups.map(g => g.shard), [...groups.map(g => g.shard)].sort((x, y) => x - y));
    assert.equal(new Set(groups.map(g => g.shard)).size, groups.length);
    for (const g of groups) {
      for (const l of g.lines) assert.equal(shardOf(l.sku, 3), g.shard);
      assert.deepEqual(g.lines.map(l => l.index), [...g.lines.map(l => l.index)].sort((x, y) => x - y));
    }
    assert.equal(groups.flatMap(g => g.lines).length, lines.length);
  });
});
