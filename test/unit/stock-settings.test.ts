import assert from 'node:assert/strict';
import { DEFAULT_STOCK_SETTINGS, resolveStockSettings } from '../../src/services/productcatalog/stock/stock-settings';

describe('stock settings', () => {
  it('merges over the defaults and freezes the result', () => {
    const s = resolveStockSettings({ shards: 4 });
    assert.equal(s.shards, 4);
    assert.equal(s.maxLines, DEFAULT_STOCK_SETTINGS.maxLines);
    assert.ok(Object.isFrozen(s));
  });

  it('defaults: 16 shards, 1 s sold-out TTL, records kept 7 days, refusals 10 min, parts resolved after 60 s', () => {
    assert.deepEqual(
      [DEFAULT_STOCK_SETTINGS.shards, DEFAULT_STOCK_SETTINGS.soldOutTtlMs, DEFAULT_STOCK_SETTINGS.recordTtlMs, DEFAULT_STOCK_SETTINGS.refusalTtlMs, DEFAULT_STOCK_SETTINGS.partTimeoutMs],
      [16, 1000, 7 * 24 * 3600 * 1000, 600_000, 60_000],
    );
  });

  it('refuses values that would break the guarantees', () => {
    assert.throws(() => resolveStockSettings({ shards: 0 }), /shards/);
    assert.throws(() => resolveStockSettings({ maxQty: 1.5 }), /maxQty/);
    assert.throws(() => resolveStockSettings({ soldOutTtlMs: -1 }), /soldOutTtlMs/);
    assert.throws(() => resolveStockSettings({ partTimeoutMs: 0 }), /partTimeoutMs/);
    // a record that could expire while its cross-shard order is still being resolved
    assert.throws(() => resolveStockSettings({ recordTtlMs: 60_000 }), /recordTtlMs/);
    assert.equal(resolveStockSettings({ recordTtlMs: 0 }).recordTtlMs, 0);
  });
});
