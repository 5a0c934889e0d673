import assert from 'node:assert/strict';
import { loadProtoDefinition, shopProtoSource } from '../../src/platform/protos';

describe('platform protos for reflection', () => {
  it('loads hipstershop/demo.proto and every shop/v1 proto with well-known types from /usr/include', () => {
    const source = shopProtoSource();
    assert.ok(source.files.includes('hipstershop/demo.proto'));
    assert.ok(source.files.some(f => f.startsWith('shop/v1/')));
    const def = loadProtoDefinition(source);
    for (const name of ['hipstershop.CheckoutService', 'hipstershop.ProductCatalogService', 'shop.v1.InventoryService', 'shop.v1.OrderService']) {
      assert.ok(name in def, `${name} in the reflected definition`);
    }
  });

  it('refuses an empty source instead of serving empty reflection', () => {
    assert.throws(() => loadProtoDefinition({ includeDirs: ['/nonexistent'], files: [] }), /no \.proto files/);
  });
});
