// Proves our hipstershop contract is upstream's: the field table of research/msdemo.md §A.1 is
// hard-coded below and compared with what proto-loader parses from protos/hipstershop/demo.proto,
// and every message crosses between proto-loader (the way upstream's Node services load the proto)
// and our ts-proto code in both directions without a bit lost.
import { strict as assert } from 'node:assert';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as demo from '../../src/gen/hipstershop/demo';
import { UPSTREAM_LOAD_OPTIONS } from '../support/upstream-client';

// ---------------------------------------------------------------- expected contract (msdemo.md §A.1)

const EXPECTED_MESSAGES: Record<string, Record<string, string>> = {
  CartItem: { product_id: '1 string', quantity: '2 int32' },
  AddItemRequest: { user_id: '1 string', item: '2 CartItem' },
  EmptyCartRequest: { user_id: '1 string' },
  GetCartRequest: { user_id: '1 string' },
  Cart: { user_id: '1 string', items: '2 repeated CartItem' },
  Empty: {},
  ListRecommendationsRequest: { user_id: '1 string', product_ids: '2 repeated string' },
  ListRecommendationsResponse: { product_ids: '1 repeated string' },
  Product: {
    id: '1 string',
    name: '2 string',
    description: '3 string',
    picture: '4 string',
    price_usd: '5 Money',
    categories: '6 repeated string',
  },
  ListProductsResponse: { products: '1 repeated Product' },
  GetProductRequest: { id: '1 string' },
  SearchProductsRequest: { query: '1 string' },
  SearchProductsResponse: { results: '1 repeated Product' },
  GetQuoteRequest: { address: '1 Address', items: '2 repeated CartItem' },
  GetQuoteResponse: { cost_usd: '1 Money' },
  ShipOrderRequest: { address: '1 Address', items: '2 repeated CartItem' },
  ShipOrderResponse: { tracking_id: '1 string' },
  Address: {
    street_address: '1 string',
    city: '2 string',
    state: '3 string',
    country: '4 string',
    zip_code: '5 int32',
  },
  Money: { currency_code: '1 string', units: '2 int64', nanos: '3 int32' },
  GetSupportedCurrenciesResponse: { currency_codes: '1 repeated string' },
  CurrencyConversionRequest: { from: '1 Money', to_code: '2 string' },
  CreditCardInfo: {
    credit_card_number: '1 string',
    credit_card_cvv: '2 int32',
    credit_card_expiration_year: '3 int32',
    credit_card_expiration_month: '4 int32',
  },
  ChargeRequest: { amount: '1 Money', credit_card: '2 CreditCardInfo' },
  ChargeResponse: { transaction_id: '1 string' },
  OrderItem: { item: '1 CartItem', cost: '2 Money' },
  OrderResult: {
    order_id: '1 string',
    shipping_tracking_id: '2 string',
    shipping_cost: '3 Money',
    shipping_address: '4 Address',
    items: '5 repeated OrderItem',
  },
  SendOrderConfirmationRequest: { email: '1 string', order: '2 OrderResult' },
  // No field 4 upstream.
  PlaceOrderRequest: {
    user_id: '1 string',
    user_currency: '2 string',
    address: '3 Address',
    email: '5 string',
    credit_card: '6 CreditCardInfo',
  },
  PlaceOrderResponse: { order: '1 OrderResult' },
  AdRequest: { context_keys: '1 repeated string' },
  AdResponse: { ads: '1 repeated Ad' },
  Ad: { redirect_url: '1 string', text: '2 string' },
};

// service -> method -> "Request -> Response"
const EXPECTED_SERVICES: Record<string, Record<string, string>> = {
  CartService: {
    AddItem: 'AddItemRequest -> Empty',
    GetCart: 'GetCartRequest -> Cart',
    EmptyCart: 'EmptyCartRequest -> Empty',
  },
  RecommendationService: { ListRecommendations: 'ListRecommendationsRequest -> ListRecommendationsResponse' },
  ProductCatalogService: {
    ListProducts: 'Empty -> ListProductsResponse',
    GetProduct: 'GetProductRequest -> Product',
    SearchProducts: 'SearchProductsRequest -> SearchProductsResponse',
  },
  ShippingService: {
    GetQuote: 'GetQuoteRequest -> GetQuoteResponse',
    ShipOrder: 'ShipOrderRequest -> ShipOrderResponse',
  },
  CurrencyService: {
    GetSupportedCurrencies: 'Empty -> GetSupportedCurrenciesResponse',
    Convert: 'CurrencyConversionRequest -> Money',
  },
  PaymentService: { Charge: 'ChargeRequest -> ChargeResponse' },
  EmailService: { SendOrderConfirmation: 'SendOrderConfirmationRequest -> Empty' },
  CheckoutService: { PlaceOrder: 'PlaceOrderRequest -> PlaceOrderResponse' },
  AdService: { GetAds: 'AdRequest -> AdResponse' },
};

// ---------------------------------------------------------------- descriptor access

interface FieldJson {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}
interface DescriptorJson {
  name: string;
  field: FieldJson[];
}
type LoaderObject = Record<string, unknown>;

const packageDef = protoLoader.loadSync('hipstershop/demo.proto', UPSTREAM_LOAD_OPTIONS);

function isMessageDef(def: unknown): def is protoLoader.MessageTypeDefinition<object, object> {
  return typeof def === 'object' && def !== null && (def as { format?: unknown }).format === 'Protocol Buffer 3 DescriptorProto';
}

function descriptorOf(shortName: string): DescriptorJson {
  const def = packageDef[`hipstershop.${shortName}`];
  if (!isMessageDef(def)) throw new Error(`hipstershop.${shortName} is not a message in demo.proto`);
  return def.type as DescriptorJson;
}

function messageNames(): string[] {
  return Object.entries(packageDef)
    .filter(([, def]) => isMessageDef(def))
    .map(([name]) => name.replace(/^hipstershop\./, ''))
    .sort();
}

const SCALAR_NAMES: Record<string, string> = { TYPE_STRING: 'string', TYPE_INT32: 'int32', TYPE_INT64: 'int64' };

function describeField(field: FieldJson): string {
  const type = field.type === 'TYPE_MESSAGE' ? field.typeName.replace(/^\.?hipstershop\./, '') : SCALAR_NAMES[field.type] ?? field.type;
  return `${field.number} ${field.label === 'LABEL_REPEATED' ? 'repeated ' : ''}${type}`;
}

function camel(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

// Expected ts-proto object for a proto-loader object: camelCase keys, int64 as bigint.
function toTsShape(shortName: string, value: LoaderObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of descriptorOf(shortName).field) {
    const convert = (v: unknown): unknown => {
      if (field.type === 'TYPE_MESSAGE') return toTsShape(field.typeName, v as LoaderObject);
      if (field.type === 'TYPE_INT64') return BigInt(v as string);
      return v;
    };
    const v = value[field.name];
    // ts-proto's decode initialises unset message fields as present-but-undefined.
    if (v === undefined || v === null) {
      if (field.type === 'TYPE_MESSAGE' && field.label !== 'LABEL_REPEATED') out[camel(field.name)] = undefined;
      continue;
    }
    out[camel(field.name)] = field.label === 'LABEL_REPEATED' ? (v as unknown[]).map(convert) : convert(v);
  }
  return out;
}

// Records which messages a fixture exercises and fails on any field left at its default value,
// so "all fields set" is checked, not assumed.
function collectCoverage(shortName: string, value: LoaderObject, seen: Set<string>): void {
  seen.add(shortName);
  for (const field of descriptorOf(shortName).field) {
    const v = value[field.name];
    const where = `${shortName}.${field.name}`;
    const values = field.label === 'LABEL_REPEATED' ? (v as unknown[]) : [v];
    if (field.label === 'LABEL_REPEATED') assert.ok(Array.isArray(v) && v.length >= 2, `${where}: give a repeated field at least 2 elements`);
    for (const item of values) {
      assert.ok(item !== undefined && item !== null && item !== '' && item !== 0 && item !== '0', `${where} is unset in the fixture`);
      if (field.type === 'TYPE_MESSAGE') collectCoverage(field.typeName, item as LoaderObject, seen);
    }
  }
}

// ---------------------------------------------------------------- codecs

interface TsCodec {
  encode(message: unknown): { finish(): Uint8Array };
  decode(input: Uint8Array): unknown;
}

function tsCodec(shortName: string): TsCodec {
  const codec = (demo as unknown as Record<string, Partial<TsCodec> | undefined>)[shortName];
  if (typeof codec?.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new Error(`src/gen/hipstershop/demo.ts has no codec for ${shortName} (run scripts/gen-proto.sh)`);
  }
  return codec as TsCodec;
}

interface LoaderCodec {
  serialize(value: LoaderObject): Buffer;
  deserialize(bytes: Buffer): LoaderObject;
}

// grpc-js serializers for every message that is an RPC argument or result.
function loaderCodecs(): Map<string, LoaderCodec> {
  const codecs = new Map<string, LoaderCodec>();
  for (const [name, def] of Object.entries(packageDef)) {
    if (isMessageDef(def) || !name.startsWith('hipstershop.')) continue;
    for (const method of Object.values(def as protoLoader.ServiceDefinition)) {
      const reqName = (method.requestType.type as DescriptorJson).name;
      const resName = (method.responseType.type as DescriptorJson).name;
      codecs.set(reqName, {
        serialize: (v) => method.requestSerialize(v),
        deserialize: (b) => method.requestDeserialize(b) as LoaderObject,
      });
      codecs.set(resName, {
        serialize: (v) => method.responseSerialize(v),
        deserialize: (b) => method.responseDeserialize(b) as LoaderObject,
      });
    }
  }
  return codecs;
}

// ---------------------------------------------------------------- fixtures (proto-loader shape)

const money = (currency_code: string, units: string, nanos: number): LoaderObject => ({ currency_code, units, nanos });
// 2^53 + 1: a JS number would silently become 2^53.
const beyondDoubles = money('USD', '9007199254740993', 990000000);
const negative = money('EUR', '-42', -750000000);
const int64Max = money('JPY', '9223372036854775807', 999999999);
const int64Min = money('GBP', '-9223372036854775808', -999999999);

const cartItemA = { product_id: 'OLJCESPC7Z', quantity: 3 };
const cartItemB = { product_id: '製品-🛍️-ünïcödé', quantity: 2147483647 };
const addressA = {
  street_address: '1600 Amphitheatre Parkway',
  city: 'Mountain View',
  state: 'CA',
  country: 'United States',
  zip_code: 94043,
};
// Negative int32 is a 10-byte varint on the wire: a classic place for encoders to disagree.
const addressB = {
  street_address: 'Straße 12 — 東京都千代田区 🏠',
  city: 'Zürich',
  state: 'ZH',
  country: 'Schweiz/Suisse/Svizzera',
  zip_code: -2147483648,
};
const card = {
  credit_card_number: '4432-8015-6152-0454',
  credit_card_cvv: 672,
  credit_card_expiration_year: 2039,
  credit_card_expiration_month: 12,
};
const productA = {
  id: 'OLJCESPC7Z',
  name: 'Sunglasses',
  description: 'Add a modern touch to your outfits — «unisex» 😎',
  picture: '/static/img/products/sunglasses.jpg',
  price_usd: money('USD', '19', 990000000),
  categories: ['accessories', 'summer'],
};
const productB = { ...productA, id: '66VCHSJNUP', name: 'Tank Top', price_usd: beyondDoubles, categories: ['clothing', 'tops', 'ひまわり'] };
const orderResult = {
  order_id: 'a7f3c1de-6f0b-11ef-9c3e-0242ac120002',
  shipping_tracking_id: 'AB-123456-7891234',
  shipping_cost: negative,
  shipping_address: addressB,
  items: [
    { item: cartItemA, cost: int64Max },
    { item: cartItemB, cost: int64Min },
  ],
};

// Fixtures keyed by message name; each is an RPC argument or result.
const FIXTURES: Array<[string, LoaderObject]> = [
  ['AddItemRequest', { user_id: 'user-ü-1', item: cartItemB }],
  ['Empty', {}],
  ['GetCartRequest', { user_id: 'session-42' }],
  ['EmptyCartRequest', { user_id: 'session-43' }],
  ['Cart', { user_id: 'session-42', items: [cartItemA, cartItemB] }],
  ['ListRecommendationsRequest', { user_id: 'u', product_ids: ['OLJCESPC7Z', '66VCHSJNUP', '1YMWWN1N4O'] }],
  ['ListRecommendationsResponse', { product_ids: ['L9ECAV7KIM', '2ZYFJ3GM2N'] }],
  ['ListProductsResponse', { products: [productA, productB] }],
  ['GetProductRequest', { id: 'OLJCESPC7Z' }],
  ['Product', productB],
  ['SearchProductsRequest', { query: 'tank ☀' }],
  ['SearchProductsResponse', { results: [productB, productA] }],
  ['GetQuoteRequest', { address: addressA, items: [cartItemA, cartItemB] }],
  ['GetQuoteResponse', { cost_usd: money('USD', '8', 990000000) }],
  ['ShipOrderRequest', { address: addressB, items: [cartItemB, cartItemA] }],
  ['ShipOrderResponse', { tracking_id: 'XY-18-123-9-1234567' }],
  ['GetSupportedCurrenciesResponse', { currency_codes: ['EUR', 'USD', 'JPY', 'GBP', 'TRY'] }],
  ['CurrencyConversionRequest', { from: int64Min, to_code: 'CAD' }],
  ['Money', beyondDoubles],
  ['Money', negative],
  ['Money', int64Max],
  ['Money', int64Min],
  ['ChargeRequest', { amount: beyondDoubles, credit_card: card }],
  ['ChargeResponse', { transaction_id: '6a1f0c0e-2b84-4f4e-9f51-7d1b0a9e5c3d' }],
  ['SendOrderConfirmationRequest', { email: 'bü@例え.jp', order: orderResult }],
  ['PlaceOrderRequest', { user_id: 'u-1', user_currency: 'EUR', address: addressA, email: 'someone@example.com', credit_card: card }],
  ['PlaceOrderResponse', { order: orderResult }],
  ['AdRequest', { context_keys: ['clothing', 'kitchen'] }],
  ['AdResponse', {
    ads: [
      { redirect_url: '/product/2ZYFJ3GM2N', text: 'Hairdryer for sale. 50% off.' },
      { redirect_url: '/product/0PUK6V6EV0', text: 'Candle holder — ünïcödé 🕯️' },
    ],
  }],
];

// Default values: proto3 leaves them off the wire, but protobufjs writes a field it was given
// explicitly (units "0"), so these compare decoded values, not bytes. Written in the exact shape
// proto-loader returns with defaults:true (unset message = null).
const DEFAULT_FIXTURES: Array<[string, LoaderObject]> = [
  ['Money', money('USD', '0', -1)],
  ['Money', money('', '0', 0)],
  ['Cart', { user_id: '', items: [] }],
  ['GetQuoteRequest', { address: { street_address: '', city: '', state: '', country: '', zip_code: 0 }, items: [{ product_id: 'X', quantity: 0 }] }],
  ['PlaceOrderRequest', { user_id: 'u', user_currency: '', address: null, email: '', credit_card: null }],
];

// ---------------------------------------------------------------- tests

describe('hipstershop demo.proto: upstream contract', () => {
  it('declares exactly the upstream messages with the upstream field names, numbers and types', () => {
    assert.deepEqual(messageNames(), Object.keys(EXPECTED_MESSAGES).sort());
    for (const [message, fields] of Object.entries(EXPECTED_MESSAGES)) {
      const actual = Object.fromEntries(descriptorOf(message).field.map((f) => [f.name, describeField(f)]));
      assert.deepEqual(actual, fields, `fields of hipstershop.${message}`);
    }
  });

  it('declares exactly the upstream services, methods, paths and types, all unary', () => {
    const serviceNames = Object.entries(packageDef)
      .filter(([, def]) => !isMessageDef(def))
      .map(([name]) => name);
    assert.deepEqual(serviceNames.sort(), Object.keys(EXPECTED_SERVICES).map((s) => `hipstershop.${s}`).sort());
    for (const [service, methods] of Object.entries(EXPECTED_SERVICES)) {
      const def = packageDef[`hipstershop.${service}`] as protoLoader.ServiceDefinition;
      assert.deepEqual(Object.keys(def).sort(), Object.keys(methods).sort(), `methods of ${service}`);
      for (const [method, signature] of Object.entries(methods)) {
        const m = def[method]!;
        assert.equal(m.path, `/hipstershop.${service}/${method}`);
        const req = (m.requestType.type as DescriptorJson).name;
        const res = (m.responseType.type as DescriptorJson).name;
        assert.equal(`${req} -> ${res}`, signature, `${service}.${method}`);
        assert.equal(m.requestStream, false);
        assert.equal(m.responseStream, false);
      }
    }
  });

  it('ts-proto service definitions use the same paths as proto-loader', () => {
    const generated = demo as unknown as Record<string, unknown>;
    for (const [service, methods] of Object.entries(EXPECTED_SERVICES)) {
      const def = generated[`${service}Service`] as Record<string, { path: string }> | undefined;
      assert.ok(def, `src/gen has no ${service}Service`);
      const paths = Object.values(def).map((m) => m.path).sort();
      assert.deepEqual(paths, Object.keys(methods).map((m) => `/hipstershop.${service}/${m}`).sort());
    }
  });
});

describe('hipstershop wire compatibility: proto-loader <-> ts-proto', () => {
  const codecs = loaderCodecs();

  it('fixtures set every field of every hipstershop message', () => {
    const seen = new Set<string>();
    for (const [name, value] of FIXTURES) collectCoverage(name, value, seen);
    assert.deepEqual([...seen].sort(), messageNames());
  });

  for (const [index, [name, loaderValue]] of FIXTURES.entries()) {
    it(`${name} #${index}: proto-loader encode -> ts-proto decode -> ts-proto encode -> proto-loader decode`, () => {
      const codec = codecs.get(name);
      assert.ok(codec, `${name} is not an RPC argument or result`);
      const bytes = codec.serialize(loaderValue);
      const decoded = tsCodec(name).decode(bytes);
      assert.deepStrictEqual(decoded, toTsShape(name, loaderValue));

      const reencoded = Buffer.from(tsCodec(name).encode(decoded).finish());
      assert.deepStrictEqual(codec.deserialize(reencoded), loaderValue);
      // Same field order and encodings: byte-identical, not merely equivalent.
      assert.equal(reencoded.toString('hex'), bytes.toString('hex'));
    });
  }

  for (const [index, [name, loaderValue]] of DEFAULT_FIXTURES.entries()) {
    it(`${name} with default values #${index}: same values both ways`, () => {
      const codec = codecs.get(name)!;
      const decoded = tsCodec(name).decode(codec.serialize(loaderValue));
      assert.deepStrictEqual(decoded, toTsShape(name, loaderValue));
      assert.deepStrictEqual(codec.deserialize(Buffer.from(tsCodec(name).encode(decoded).finish())), loaderValue);
    });
  }

  it('encodes Money exactly as the protobuf spec says (hand-computed bytes)', () => {
    // tag 1 "USD", tag 2 varint(-5) as 10 bytes, tag 3 varint(-500000000) sign-extended to 10 bytes
    const negativeHex = '0a0355534410fbffffffffffffffff011880b6ca91feffffffff01';
    const fromTs = Buffer.from(demo.Money.encode({ currencyCode: 'USD', units: -5n, nanos: -500000000 }).finish());
    assert.equal(fromTs.toString('hex'), negativeHex);
    const fromLoader = codecs.get('Money')!.serialize({ currency_code: 'USD', units: '-5', nanos: -500000000 });
    assert.equal(fromLoader.toString('hex'), negativeHex);

    const bigHex = '0a035553441081808080808080101880e788d803';
    const big = demo.Money.decode(Buffer.from(bigHex, 'hex'));
    assert.deepStrictEqual(big, { currencyCode: 'USD', units: 9007199254740993n, nanos: 990000000 });
  });

  it('leaves field 4 of PlaceOrderRequest unused: a value there is ignored by ts-proto', () => {
    // field 4, wire type 2, "x" — as an unknown field from a future or foreign encoder.
    const withField4 = Buffer.concat([
      codecs.get('PlaceOrderRequest')!.serialize({ user_id: 'u', email: 'e@x' }),
      Buffer.from('2201' + '78', 'hex'),
    ]);
    const decoded = demo.PlaceOrderRequest.decode(withField4);
    assert.equal(decoded.userId, 'u');
    assert.equal(decoded.email, 'e@x');
  });
});

describe('hipstershop over a real grpc-js channel', () => {
  const upstream = grpc.loadPackageDefinition(packageDef) as unknown as {
    hipstershop: Record<string, grpc.ServiceClientConstructor>;
  };
  let server: grpc.Server | undefined;

  afterEach(async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.tryShutdown(() => resolve()));
  });

  async function listen(register: (s: grpc.Server) => void): Promise<string> {
    server = new grpc.Server();
    register(server);
    const port = await new Promise<number>((resolve, reject) =>
      server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    return `127.0.0.1:${port}`;
  }

  it('an upstream-style proto-loader client calls our ts-proto CheckoutService', async () => {
    let received: demo.PlaceOrderRequest | undefined;
    const impl: demo.CheckoutServiceServer = {
      placeOrder: (call, callback) => {
        received = call.request;
        callback(null, {
          order: {
            orderId: 'order-1',
            shippingTrackingId: 'AB-1',
            shippingCost: { currencyCode: 'EUR', units: 9007199254740993n, nanos: -1 },
            shippingAddress: call.request.address,
            items: [{ item: { productId: 'OLJCESPC7Z', quantity: 2 }, cost: { currencyCode: 'EUR', units: -3n, nanos: -5 } }],
          },
        });
      },
    };
    const address = await listen((s) => s.addService(demo.CheckoutServiceService, impl));
    const client = new upstream.hipstershop.CheckoutService!(address, grpc.credentials.createInsecure());
    try {
      const request = { user_id: 'u-ü', user_currency: 'EUR', address: addressB, email: 'a@b.c', credit_card: card };
      const response = await new Promise<LoaderObject>((resolve, reject) =>
        client.PlaceOrder!(request, (err: grpc.ServiceError | null, res: LoaderObject) => (err ? reject(err) : resolve(res))),
      );
      assert.deepStrictEqual(received, toTsShape('PlaceOrderRequest', request));
      const order = response.order as LoaderObject;
      assert.deepStrictEqual(order.shipping_cost, { currency_code: 'EUR', units: '9007199254740993', nanos: -1 });
      assert.deepStrictEqual(order.shipping_address, addressB);
      assert.deepStrictEqual(order.items, [{ item: { product_id: 'OLJCESPC7Z', quantity: 2 }, cost: { currency_code: 'EUR', units: '-3', nanos: -5 } }]);
    } finally {
      client.close();
    }
  });

  it('our ts-proto client calls an upstream-style proto-loader CurrencyService', async () => {
    const address = await listen((s) =>
      s.addService(upstream.hipstershop.CurrencyService!.service, {
        Convert: (call: grpc.ServerUnaryCall<LoaderObject, LoaderObject>, callback: grpc.sendUnaryData<LoaderObject>) => {
          const from = call.request.from as LoaderObject;
          // Echo with units + 1 computed on the string, as an upstream service would see it.
          callback(null, { currency_code: call.request.to_code, units: (BigInt(from.units as string) + 1n).toString(), nanos: from.nanos });
        },
      }),
    );
    const client = new demo.CurrencyServiceClient(address, grpc.credentials.createInsecure());
    try {
      const converted = await new Promise<demo.Money>((resolve, reject) =>
        client.convert(
          { from: { currencyCode: 'USD', units: 9223372036854775806n, nanos: 999999999 }, toCode: 'JPY' },
          (err, res) => (err ? reject(err) : resolve(res)),
        ),
      );
      assert.deepStrictEqual(converted, { currencyCode: 'JPY', units: 9223372036854775807n, nanos: 999999999 });
    } finally {
      client.close();
    }
  });
});
