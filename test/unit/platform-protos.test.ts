import assert from 'node:assert/strict';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import type { MessageTypeDefinition } from '@grpc/proto-loader';
import { projectPath } from '../../src/platform/paths';
import { DESCRIPTOR_SET_FILE, loadProtoDefinition, shopProtoSource } from '../../src/platform/protos';

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

  it("reflects protoc's own files from the descriptor set: one per .proto, each with its imports", () => {
    const source = shopProtoSource();
    assert.equal(source.descriptorSet, projectPath('protos', DESCRIPTOR_SET_FILE));
    const def = loadProtoDefinition(source);
    const entry = def['shop.v1.BuyRequest'] as MessageTypeDefinition<object, object>;
    const files = new Map(entry.fileDescriptorProtos.map(b => fromBinary(FileDescriptorProtoSchema, b)).map(f => [f.name, f]));
    for (const name of source.files) assert.ok(files.has(name), `${name} served`);
    assert.deepEqual(files.get('shop/v1/order.proto')?.dependency, ['google/protobuf/timestamp.proto', 'hipstershop/demo.proto', 'shop/v1/common.proto']);
    assert.ok(files.has('google/protobuf/timestamp.proto') && files.has('health/v1/health.proto'));
    assert.ok('grpc.health.v1.Health' in def);
  });

  it('names the fix when the descriptor set is missing or lacks a listed file (stale)', () => {
    const source = shopProtoSource();
    assert.throws(() => loadProtoDefinition({ ...source, descriptorSet: '/nonexistent/set.binpb' }), /missing: run 'bash scripts\/gen-proto\.sh'/);
    assert.throws(() => loadProtoDefinition({ ...source, files: [...source.files, 'shop/v1/new.proto'] }), /lacks shop\/v1\/new\.proto: stale/);
  });
});
