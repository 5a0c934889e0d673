// The gateway's pure building blocks: session tokens, request signatures, address lists, the per-IP
// token bucket, socket slots, client address behind proxies, the one error mapping, JSON views and
// static path resolution.
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, symlink, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { OrderStatus } from '../../src/gen/shop/v1/common';
import { SaleState } from '../../src/gen/shop/v1/flashsale';
import { ProgressState } from '../../src/gen/shop/v1/order';
import { BreakerOpenError } from '../../src/platform/breaker';
import { parseAddressList, trustProxy } from '../../src/platform/cidr';
import { ManualClock } from '../../src/platform/clock';
import { loadConfig } from '../../src/platform/config';
import { InternalError, InvalidArgumentError, NotFoundError } from '../../src/platform/errors';
import { createClientIp } from '../../src/services/gateway/client-ip';
import { cookieValue, sessionFrom } from '../../src/services/gateway/guards';
import { GatewayError, toHttpError } from '../../src/services/gateway/http-errors';
import { orderJson, progressJson, saleItemJson } from '../../src/services/gateway/json-views';
import { differs } from '../../src/services/gateway/order-feed';
import { createIpRateLimiter } from '../../src/services/gateway/rate-limiter';
import { canonicalRequest, createRequestVerifier, signRequest } from '../../src/services/gateway/request-signing';
import { createSessionCodec } from '../../src/services/gateway/session';
import { gatewaySettings } from '../../src/services/gateway/settings';
import { createSocketSlots } from '../../src/services/gateway/socket-limits';
import { resolveStatic } from '../../src/services/gateway/static-files';

const SECRET = 'unit-test-session-secret-0123456789abcdef';

function serviceError(code: status, details: string): ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new Metadata() }) as ServiceError;
}

describe('gateway: session tokens', () => {
  it('issues a token that verifies to the same user until it expires', () => {
    const clock = new ManualClock(1_000_000);
    const codec = createSessionCodec(SECRET, 60_000, clock);
    const s = codec.issue();
    assert.match(s.userId, /^u-[0-9a-f]{32}$/);
    assert.deepEqual(codec.verify(s.token), { userId: s.userId, expiresAt: new Date(1_060_000) });
    clock.advance(60_000);
    assert.equal(codec.verify(s.token), 'expired');
  });

  it('refuses other keys, tampered payloads and junk', () => {
    const clock = new ManualClock(0);
    const codec = createSessionCodec(SECRET, 60_000, clock);
    const other = createSessionCodec('another-secret-another-secret-another', 60_000, clock).issue().token;
    assert.equal(codec.verify(other), 'bad-signature');
    const [, mac] = codec.issue().token.split('.');
    const payload = Buffer.from(JSON.stringify({ uid: 'u-victim', exp: 99_999 })).toString('base64url');
    assert.equal(codec.verify(`${payload}.${mac}`), 'bad-signature');
    for (const junk of ['', 'abc', 'a.b.c', '.x', 'x'.repeat(600)]) assert.equal(typeof codec.verify(junk), 'string', junk);
  });

  it('reads the bearer header first, then the cookie, then the socket query', () => {
    const codec = createSessionCodec(SECRET, 60_000, new ManualClock(0));
    const a = codec.issue();
    const b = codec.issue();
    assert.equal((sessionFrom({ authorization: `Bearer ${a.token}`, cookie: `shop_session=${b.token}` }, codec) as { userId: string }).userId, a.userId);
    assert.equal((sessionFrom({ cookie: `x=1; shop_session=${b.token}` }, codec) as { userId: string }).userId, b.userId);
    assert.equal((sessionFrom({}, codec, a.token) as { userId: string }).userId, a.userId);
    assert.ok(sessionFrom({}, codec) instanceof GatewayError);
    assert.equal(cookieValue('a=1; shop_session=tok%3D; b=2', 'shop_session'), 'tok=');
  });

  it('refuses to start without a long enough secret', () => {
    assert.throws(() => gatewaySettings(loadConfig({})), /GATEWAY_SESSION_SECRET must be at least 32 characters/);
    assert.throws(() => gatewaySettings(loadConfig({ GATEWAY_SESSION_SECRET: 'short' })), /GATEWAY_SESSION_SECRET/);
    assert.equal(gatewaySettings(loadConfig({ GATEWAY_SESSION_SECRET: SECRET })).sessionSecret, SECRET);
  });
});

describe('gateway: request signatures', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const verifier = createRequestVerifier('k', 300_000, clock);
  const parts = { method: 'POST', url: '/api/sale-items/A/buy?x=1', timestamp: String(clock.now()), body: Buffer.from('{"quantity":1}') };

  it('canonical string: method, path+query, timestamp, body hash', () => {
    const lines = canonicalRequest(parts).split('\n');
    assert.deepEqual(lines.slice(0, 3), ['POST', '/api/sale-items/A/buy?x=1', String(clock.now())]);
    assert.match(lines[3] ?? '', /^[0-9a-f]{64}$/);
  });

  it('accepts the right signature; refuses missing, stale, wrong key, other body', () => {
    const signature = signRequest('k', parts);
    assert.equal(verifier.check({ ...parts, signature }), undefined);
    assert.equal(verifier.check({ ...parts, signature: undefined }), 'missing');
    assert.equal(verifier.check({ ...parts, signature: 'zz' }), 'missing');
    assert.equal(verifier.check({ ...parts, signature: signRequest('other', parts) }), 'mismatch');
    assert.equal(verifier.check({ ...parts, body: Buffer.from('{"quantity":2}'), signature }), 'mismatch');
    const old = { ...parts, timestamp: String(clock.now() - 300_001) };
    assert.equal(verifier.check({ ...old, signature: signRequest('k', old) }), 'stale');
  });

  it('is off with an empty secret', () => {
    const off = createRequestVerifier('', 1000, clock);
    assert.equal(off.enabled, false);
    assert.equal(off.check({ ...parts, signature: undefined }), undefined);
  });
});

describe('gateway: addresses', () => {
  it('address lists match IPv4, IPv6, CIDR blocks and IPv4-mapped peers', () => {
    const list = parseAddressList('10.0.0.0/8, 192.168.1.7, ::1, 2001:db8::/32');
    for (const ip of ['10.1.2.3', '::ffff:10.1.2.3', '192.168.1.7', '::1', '2001:db8::42']) assert.equal(list.has(ip), true, ip);
    for (const ip of ['11.0.0.1', '192.168.1.8', '::2', 'nonsense']) assert.equal(list.has(ip), false, ip);
    assert.equal(parseAddressList('').empty, true);
    assert.throws(() => parseAddressList('10.0.0.0/33'), /prefix length/);
    assert.throws(() => parseAddressList('example.com'), /not an IP address/);
  });

  it('client address behind proxies: none trusted, all, N hops, a proxy list', () => {
    const req = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as unknown as IncomingMessage;
    const r = req('10.0.0.2', '1.1.1.1, 2.2.2.2, 10.0.0.1');
    assert.equal(createClientIp(false)(r), '10.0.0.2');
    assert.equal(createClientIp(true)(r), '1.1.1.1');
    assert.equal(createClientIp(1)(r), '10.0.0.1');
    assert.equal(createClientIp(2)(r), '2.2.2.2');
    assert.equal(createClientIp(trustProxy()('10.0.0.0/8'))(r), '2.2.2.2');
    assert.equal(createClientIp(true)(req('10.0.0.2')), '10.0.0.2');
    assert.deepEqual(trustProxy()('false'), false);
    assert.deepEqual(trustProxy()('3'), 3);
  });
});

describe('gateway: limits', () => {
  it('token bucket: a burst, then one per 1/rate, with a retry-after', () => {
    const clock = new ManualClock(0);
    const limiter = createIpRateLimiter({ ratePerSecond: 2, burst: 3, clock });
    assert.deepEqual([1, 2, 3].map(() => limiter.take('a').allowed), [true, true, true]);
    const refused = limiter.take('a');
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterMs, 500);
    assert.equal(limiter.take('b').allowed, true, 'addresses are counted apart');
    clock.advance(500);
    assert.equal(limiter.take('a').allowed, true);
    assert.equal(limiter.take('a').allowed, false);
  });

  it('token bucket memory stays bounded: full buckets are dropped', () => {
    const clock = new ManualClock(0);
    const limiter = createIpRateLimiter({ ratePerSecond: 1000, burst: 1, clock, maxBuckets: 10 });
    for (let i = 0; i < 10; i++) limiter.take(`ip-${i}`);
    clock.advance(10);
    limiter.take('ip-new');
    assert.equal(limiter.size(), 1);
  });

  it('socket slots: per address and in total', () => {
    const slots = createSocketSlots(3, 2);
    assert.deepEqual([slots.acquire('a'), slots.acquire('a'), slots.acquire('a')], [true, true, false]);
    assert.equal(slots.acquire('b'), true);
    assert.equal(slots.acquire('c'), false, 'total bound');
    slots.release('a');
    assert.equal(slots.acquire('c'), true);
    assert.equal(slots.open(), 3);
  });
});

describe('gateway: the one error mapping', () => {
  const mapped = (err: unknown) => {
    const m = toHttpError(err);
    return [m.statusCode, m.body.error.code];
  };

  it('gRPC codes from downstream → the documented HTTP statuses', () => {
    assert.deepEqual(mapped(serviceError(status.INVALID_ARGUMENT, 'quantity: must be 1-5')), [400, 'INVALID_ARGUMENT']);
    assert.equal(toHttpError(serviceError(status.INVALID_ARGUMENT, 'quantity: must be 1-5')).body.error.field, 'quantity');
    assert.deepEqual(mapped(serviceError(status.UNAUTHENTICATED, 'x')), [401, 'UNAUTHENTICATED']);
    assert.deepEqual(mapped(serviceError(status.PERMISSION_DENIED, 'x')), [403, 'PERMISSION_DENIED']);
    assert.deepEqual(mapped(serviceError(status.NOT_FOUND, 'x')), [404, 'NOT_FOUND']);
    for (const c of [status.ALREADY_EXISTS, status.ABORTED, status.FAILED_PRECONDITION]) assert.equal(mapped(serviceError(c, 'x'))[0], 409);
    const limited = toHttpError(serviceError(status.RESOURCE_EXHAUSTED, 'rate limit exceeded'));
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['retry-after'], '1');
    assert.deepEqual(mapped(serviceError(status.UNAVAILABLE, 'db at 10.0.0.5 down')), [503, 'UNAVAILABLE']);
    assert.equal(toHttpError(serviceError(status.UNAVAILABLE, 'db at 10.0.0.5 down')).body.error.message, 'service unavailable, try again');
    assert.deepEqual(mapped(serviceError(status.DEADLINE_EXCEEDED, 'x')), [503, 'DEADLINE_EXCEEDED']);
    const internal = toHttpError(serviceError(status.INTERNAL, 'SQL syntax near ...'));
    assert.deepEqual([internal.statusCode, internal.body.error.code, internal.body.error.message, internal.unexpected], [500, 'INTERNAL', 'internal error', true]);
  });

  it('typed errors, breaker refusals, gateway refusals and bugs', () => {
    assert.deepEqual(toHttpError(new InvalidArgumentError('pageSize', 'too big')).body.error, { code: 'INVALID_ARGUMENT', message: 'pageSize: too big', field: 'pageSize' });
    assert.deepEqual(mapped(new NotFoundError('nope')), [404, 'NOT_FOUND']);
    assert.deepEqual(mapped(new BreakerOpenError('gateway-order')), [503, 'UNAVAILABLE']);
    assert.deepEqual(mapped(new InternalError('secret detail')), [500, 'INTERNAL']);
    const bug = toHttpError(new TypeError('x is undefined'));
    assert.deepEqual([bug.statusCode, bug.body.error.message, bug.unexpected], [500, 'internal error', true]);
    const refusal = toHttpError(new GatewayError(429, 'RATE_LIMITED', 'slow down', { headers: { 'retry-after': '2' }, details: { orderId: 'o1' } }));
    assert.deepEqual([refusal.statusCode, refusal.headers['retry-after'], refusal.body.error.orderId], [429, '2', 'o1']);
  });
});

describe('gateway: JSON views', () => {
  const at = new Date('2026-01-01T00:00:00.000Z');

  it('sale items: money as exact strings, enum names without prefix', () => {
    const j = saleItemJson({
      product: { id: 'P1', name: 'N', description: '', picture: '/p.jpg', categories: [], priceUsd: { currencyCode: 'USD', units: 9_007_199_254_740_993n, nanos: 990_000_000 } },
      state: SaleState.SALE_STATE_SOLD_OUT,
      remainingStock: 0n,
      limitPerUser: 2,
      saleStartsAt: at,
      saleEndsAt: undefined,
      serverTime: at,
    });
    assert.deepEqual(j, {
      productId: 'P1', name: 'N', picture: '/p.jpg', price: { currencyCode: 'USD', units: '9007199254740993', nanos: 990_000_000 },
      remaining: 0, perUserLimit: 2, startsAt: at.toISOString(), state: 'SOLD_OUT',
    });
  });

  it('orders: progress and rows; FAIL → FAILED; terminal only after shipping or cancel', () => {
    const p = progressJson({ orderId: 'o', state: ProgressState.PROGRESS_STATE_IN_PROGRESS, status: OrderStatus.ORDER_STATUS_PENDING_PAYMENT, reason: '', terminal: false, trackingId: '', expiresAt: at, updatedAt: at });
    assert.deepEqual(p, { orderId: 'o', status: 'PENDING_PAYMENT', version: String(at.getTime()), terminal: false, paymentDeadline: at.toISOString() });
    const failed = progressJson({ orderId: 'o', state: ProgressState.PROGRESS_STATE_FAIL, status: OrderStatus.ORDER_STATUS_UNSPECIFIED, reason: 'bad', terminal: true, trackingId: '', expiresAt: undefined, updatedAt: undefined });
    assert.deepEqual([failed.status, failed.failureReason, failed.terminal], ['FAILED', 'bad', true]);
    const paid = orderJson({
      orderId: 'o', userId: 'u', status: OrderStatus.ORDER_STATUS_PAID, source: 0, userCurrency: 'USD', items: [], shippingCost: undefined,
      total: { currencyCode: 'USD', units: 12n, nanos: 5 }, shippingAddress: undefined, email: '', trackingId: '', transactionId: 't', failureReason: '',
      createdAt: at, updatedAt: at, expiresAt: undefined, paidAt: at,
    });
    assert.deepEqual([paid.status, paid.terminal, paid.total], ['PAID', false, { currencyCode: 'USD', units: '12', nanos: 5 }]);
  });

  it('long poll "after": a status name or a version', () => {
    const o = { orderId: 'o', status: 'PAID', version: '17', terminal: false };
    assert.equal(differs(o, undefined), true);
    assert.equal(differs(o, 'PAID'), false);
    assert.equal(differs(o, '17'), false);
    assert.equal(differs(o, 'PENDING_PAYMENT'), true);
    assert.equal(differs(o, '16'), true);
  });
});

describe('gateway: static files stay inside web/', () => {
  it('serves known files; refuses traversal, NUL, unknown types, directories and symlinks out', async () => {
    const base = await mkdtemp(join(tmpdir(), 'gw-static-'));
    const root = join(base, 'web');
    await mkdir(join(root, 'sale'), { recursive: true });
    await writeFile(join(root, 'sale', 'index.html'), '<p>ok</p>');
    await writeFile(join(base, 'secret.html'), 'secret');
    await symlink(join(base, 'secret.html'), join(root, 'sale', 'leak.html'));
    assert.equal(await resolveStatic(root, 'sale/index.html'), join(root, 'sale', 'index.html'));
    for (const bad of ['../secret.html', 'sale/../../secret.html', 'sale\\..\\..\\secret.html', 'sale/index.html\0.png', 'sale/leak.html', 'sale', 'sale/index.exe', '/etc/passwd']) {
      assert.equal(await resolveStatic(root, bad), undefined, bad);
    }
  });
});
