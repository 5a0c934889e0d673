// shop.v1 contract checks: every message survives ts-proto <-> protobufjs (the engine under
// proto-loader, loaded the way proto-loader loads it) with all fields set, money and 64-bit
// counters stay exact as bigint, and the service paths proto-loader serves (reflection, upstream-style
// clients) are the ones our generated stubs use.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import * as common from '../../src/gen/shop/v1/common';
import * as events from '../../src/gen/shop/v1/events';
import * as flashsale from '../../src/gen/shop/v1/flashsale';
import * as inventory from '../../src/gen/shop/v1/inventory';
import * as order from '../../src/gen/shop/v1/order';

const PROTO_ROOT = path.resolve(__dirname, '../../protos');
// Where google/protobuf/*.proto live (Debian libprotobuf-dev); proto-loader needs both dirs.
const INCLUDE_DIRS = [PROTO_ROOT, '/usr/include'];
const SHOP_FILES = ['common', 'events', 'flashsale', 'inventory', 'order'].map((f) => `shop/v1/${f}.proto`);
const TO_OBJECT: protobuf.IConversionOptions = { longs: String, enums: String, defaults: true, oneofs: true };

interface TsCodec {
  encode(message: unknown): { finish(): Uint8Array };
  decode(input: Uint8Array): unknown;
}

const generatedModules: Array<Record<string, unknown>> = [common, events, flashsale, inventory, order];

function tsCodec(shortName: string): TsCodec {
  for (const mod of generatedModules) {
    const codec = mod[shortName] as Partial<TsCodec> | undefined;
    if (typeof codec?.encode === 'function' && typeof codec.decode === 'function') return codec as TsCodec;
  }
  throw new Error(`src/gen/shop/v1 has no codec for ${shortName} (run scripts/gen-proto.sh)`);
}

// Same resolution as proto-loader: relative imports looked up in each include dir in turn.
function loadRoot(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target)) return target;
    for (const dir of INCLUDE_DIRS) {
      const candidate = path.join(dir, target);
      if (fs.existsSync(candidate)) return candidate;
    }
    return target;
  };
  root.loadSync(SHOP_FILES, { keepCase: true });
  root.resolveAll();
  return root;
}

function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

// A ts-proto-shaped value with every field set to a non-default, edge-of-range value.
function sample(type: protobuf.Type, salt = 0): Record<string, unknown> {
  if (type.fullName === '.google.protobuf.Timestamp') throw new Error('timestamps are sampled as Date');
  if (type.fullName === '.hipstershop.Money') {
    return { currencyCode: 'EUR', units: -9223372036854775807n + BigInt(salt), nanos: -999999999 + salt };
  }
  const out: Record<string, unknown> = {};
  type.fieldsArray.forEach((field, i) => {
    const n = salt * 100 + i;
    const one = (k: number): unknown => {
      const resolved = field.resolvedType;
      if (resolved instanceof protobuf.Enum) return Math.max(...Object.values(resolved.values));
      if (resolved instanceof protobuf.Type) {
        return resolved.fullName === '.google.protobuf.Timestamp' ? new Date(Date.UTC(2026, 10, 21, 5, 0, 0, 123 + n + k)) : sample(resolved, n + k + 1);
      }
      switch (field.type) {
        case 'string': return `${field.name}-${n + k}-ü東京🛒`;
        case 'int32': return -2147483648 + n + k;
        case 'int64': return 9007199254740993n + BigInt(n + k); // beyond 2^53
        case 'uint64': return 18446744073709551615n - BigInt(n + k); // needs all 64 bits
        case 'bool': return true;
        case 'bytes': return Buffer.from([0x00, 0xff, n + k, 0x80]);
        default: throw new Error(`no sample for ${type.name}.${field.name} (${field.type}): extend the test`);
      }
    };
    if (field instanceof protobuf.MapField) {
      assert.equal(field.keyType, 'string', 'maps are keyed by string');
      out[camel(field.name)] = { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`, tracestate: `ü=${n}` };
    } else {
      out[camel(field.name)] = field.repeated ? [one(0), one(1)] : one(0);
    }
  });
  return out;
}

function shopMessages(root: protobuf.Root): protobuf.Type[] {
  const ns = root.lookup('shop.v1');
  assert.ok(ns instanceof protobuf.Namespace);
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

describe('shop.v1 protos', () => {
  const root = loadRoot();

  it('proto-loader loads every shop.v1 file with includeDirs [protos, /usr/include]', () => {
    const def = protoLoader.loadSync(SHOP_FILES, { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: INCLUDE_DIRS });
    for (const svc of ['InventoryService', 'OrderService', 'FlashSaleService']) assert.ok(def[`shop.v1.${svc}`], svc);
    assert.ok(def['shop.v1.OrderCreated']);
    assert.ok(def['hipstershop.Money'], 'imports hipstershop');
  });

  it('ts-proto stubs use the paths and streaming flags proto-loader serves', () => {
    const def = protoLoader.loadSync(SHOP_FILES, { keepCase: true, includeDirs: INCLUDE_DIRS });
    const generated: Record<string, Record<string, { path: string; requestStream: boolean; responseStream: boolean }>> = {
      InventoryService: inventory.InventoryServiceService,
      OrderService: order.OrderServiceService,
      FlashSaleService: flashsale.FlashSaleServiceService,
    };
    for (const [svc, stubs] of Object.entries(generated)) {
      const loaded = def[`shop.v1.${svc}`] as protoLoader.ServiceDefinition;
      const fromLoader = Object.values(loaded).map((m) => `${m.path} ${m.requestStream} ${m.responseStream}`).sort();
      const fromTs = Object.values(stubs).map((m) => `${m.path} ${m.requestStream} ${m.responseStream}`).sort();
      assert.deepEqual(fromTs, fromLoader, svc);
    }
    assert.equal(inventory.InventoryServiceService.reserve.path, '/shop.v1.InventoryService/Reserve');
    assert.equal(order.OrderServiceService.watchOrder.path, '/shop.v1.OrderService/WatchOrder');
    assert.equal(order.OrderServiceService.watchOrder.responseStream, true);
    assert.equal(flashsale.FlashSaleServiceService.buy.path, '/shop.v1.FlashSaleService/Buy');
  });

  it('every enum has an UNSPECIFIED zero value and type-prefixed names', () => {
    const ns = root.lookup('shop.v1') as protobuf.Namespace;
    const enums = ns.nestedArray.filter((n): n is protobuf.Enum => n instanceof protobuf.Enum);
    assert.ok(enums.length >= 8);
    for (const e of enums) {
      const prefix = e.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase() + '_';
      assert.equal(e.valuesById[0], `${prefix}UNSPECIFIED`, e.name);
      for (const name of Object.keys(e.values)) assert.ok(name.startsWith(prefix), `${e.name}.${name}`);
    }
  });

  for (const type of shopMessages(root)) {
    it(`${type.name}: every field survives ts-proto -> protobufjs -> ts-proto`, () => {
      const value = sample(type);
      const codec = tsCodec(type.name);
      const bytes = codec.encode(value).finish();
      assert.deepStrictEqual(codec.decode(bytes), value, 'ts-proto round trip');

      const viaLoader = type.toObject(type.decode(bytes), TO_OBJECT);
      for (const field of type.fieldsArray) assert.ok(field.name in viaLoader, `protobufjs lost ${type.name}.${field.name}`);
      const back = type.encode(type.fromObject(viaLoader)).finish();
      assert.deepStrictEqual(codec.decode(back), value, 'through protobufjs and back');
    });
  }

  it('OrderCreated keeps exact money and every order detail on the wire', () => {
    const created: events.OrderCreated = {
      order: {
        orderId: 'ord-1',
        userId: 'user-7',
        source: common.OrderSource.ORDER_SOURCE_FLASH_SALE,
        userCurrency: 'JPY',
        email: 'buyer@例え.jp',
        shippingAddress: { streetAddress: '千代田1-1', city: '東京', state: '東京都', country: 'JP', zipCode: 1000001 },
        items: [
          { productId: 'FLASH-1', quantity: 2, unitCost: { currencyCode: 'JPY', units: 9223372036854775000n, nanos: 0 } },
          { productId: 'OLJCESPC7Z', quantity: 1, unitCost: { currencyCode: 'JPY', units: -1n, nanos: -500000000 } },
        ],
        shippingCost: { currencyCode: 'JPY', units: 1016n, nanos: 0 },
        total: { currencyCode: 'JPY', units: 9223372036854775807n, nanos: 999999999 },
        createdAt: new Date('2026-11-21T05:00:00.123Z'),
        expiresAt: new Date('2026-11-21T05:30:00.123Z'),
        idempotencyKey: 'idem-1',
      },
      reservedAt: new Date('2026-11-21T05:00:00.125Z'),
      traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    };
    const bytes = events.OrderCreated.encode(created).finish();
    assert.deepStrictEqual(events.OrderCreated.decode(bytes), created);

    const type = root.lookupType('shop.v1.OrderCreated');
    const loaderView = type.toObject(type.decode(bytes), TO_OBJECT) as {
      order: { source: string; total: { units: string; nanos: number }; items: Array<{ unit_cost: { units: string } }>; created_at: { seconds: string; nanos: number } };
      trace_context: Record<string, string>;
    };
    assert.equal(loaderView.order.source, 'ORDER_SOURCE_FLASH_SALE');
    assert.deepEqual(loaderView.order.total, { currency_code: 'JPY', units: '9223372036854775807', nanos: 999999999 });
    assert.equal(loaderView.order.items[0]!.unit_cost.units, '9223372036854775000');
    assert.deepEqual(loaderView.order.created_at, { seconds: String(Date.UTC(2026, 10, 21, 5, 0, 0) / 1000), nanos: 123000000 });
    assert.equal(loaderView.trace_context.traceparent, created.traceContext.traceparent);
  });

  it('ts-proto refuses int64 values that do not fit instead of wrapping them', () => {
    const tooBig = { currencyCode: 'USD', units: 2n ** 63n, nanos: 0 };
    assert.throws(() => common.OrderLine.encode({ productId: 'p', quantity: 1, unitCost: tooBig }), /too large/);
  });

  it('OrderStatusChanged carries statuses by name for proto-loader readers', () => {
    const changed: events.OrderStatusChanged = {
      orderId: 'ord-2',
      userId: 'u',
      fromStatus: common.OrderStatus.ORDER_STATUS_PENDING_PAYMENT,
      toStatus: common.OrderStatus.ORDER_STATUS_PAID,
      reason: '',
      at: new Date('2026-11-21T05:01:00.000Z'),
      transactionId: 'tx-1',
      trackingId: '',
      traceContext: {},
    };
    const type = root.lookupType('shop.v1.OrderStatusChanged');
    const view = type.toObject(type.decode(events.OrderStatusChanged.encode(changed).finish()), TO_OBJECT);
    assert.equal(view.from_status, 'ORDER_STATUS_PENDING_PAYMENT');
    assert.equal(view.to_status, 'ORDER_STATUS_PAID');
    assert.deepStrictEqual(events.OrderStatusChanged.decode(events.OrderStatusChanged.encode(changed).finish()), changed);
  });
});
