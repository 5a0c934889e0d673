// Helpers of the order fulfilment / timeout / dead-letter suites: polling waits and real hipstershop
// shipping + email servers (the services' own handlers) with counters for what they were asked.
import { ShippingServiceService, EmailServiceService } from '../../src/gen/hipstershop/demo';
import { OrderSource, type OrderDraft } from '../../src/gen/shop/v1/common';
import { orderFromDraft } from '../../src/services/order/draft';
import type { NewOrder } from '../../src/services/order/types';
import { uniqueId } from '../support/ids';
import { InvalidArgumentError, UnavailableError } from '../../src/platform/errors';
import { createConfirmationMailer } from '../../src/services/email/mailer';
import type { EmailSender } from '../../src/services/email/sender';
import type { EmailMessage } from '../../src/services/email/types';
import { createFailurePolicy, type ShippingFailurePolicy } from '../../src/services/shipping/failure-policy';
import { cryptoRandomInt } from '../../src/services/shipping/random';
import { createShippingHandlers } from '../../src/services/shipping/server';
import { createShipper } from '../../src/services/shipping/shipper';
import { createGrpcServer, type GrpcServer } from '../../src/platform/grpc-server';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';
import { startTestServer, type TestServer } from '../support/test-server';

/** A valid order row (what the creation consumer inserts): 1-2 lines, exact totals, deadline `windowMs` after now. */
export function testOrder(i: number, overrides: Partial<OrderDraft> = {}, windowMs = 30 * 60_000): NewOrder {
  const unitCost = { currencyCode: 'EUR', units: BigInt(10 + (i % 7)), nanos: (i * 7919) % 1_000_000_000 };
  const items = Array.from({ length: 1 + (i % 2) }, (_, l) => ({ productId: `SKU-${(i + l) % 11}`, quantity: 1 + l, unitCost }));
  let nanos = 8_990_000_000n;
  for (const it of items) nanos += (unitCost.units * 1_000_000_000n + BigInt(unitCost.nanos)) * BigInt(it.quantity);
  const createdAt = new Date();
  const draft: OrderDraft = {
    orderId: uniqueId(`o${i}`),
    userId: `user-${i % 7}`,
    source: OrderSource.ORDER_SOURCE_FLASH_SALE,
    userCurrency: 'EUR',
    email: `buyer${i}@example.com`,
    shippingAddress: { streetAddress: `${i} Main Street`, city: 'Zürich', state: 'ZH', country: 'Switzerland', zipCode: 8001 },
    items,
    shippingCost: { currencyCode: 'EUR', units: 8n, nanos: 990_000_000 },
    total: { currencyCode: 'EUR', units: nanos / 1_000_000_000n, nanos: Number(nanos % 1_000_000_000n) },
    createdAt,
    expiresAt: new Date(createdAt.getTime() + windowMs),
    idempotencyKey: '',
    ...overrides,
  };
  return orderFromDraft(draft, createdAt);
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms));

/** Polls `check` until it returns a value other than undefined/false; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    }
    await sleep(everyMs);
  }
}

/** Like startTestServer, but on a chosen port (0 = any), so a stopped server can come back on its address. */
async function serveOn(register: (server: GrpcServer) => void, port: number): Promise<TestServer> {
  const server = createGrpcServer({ logger: testLogger('grpc'), config: testConfig({ SHUTDOWN_GRACE_MS: '2000' }) });
  register(server);
  const bound = await server.listen(port, '127.0.0.1');
  return { server, port: bound, address: `127.0.0.1:${bound}`, stop: () => server.stop() };
}

/** Street address the test shipping server refuses for good (INVALID_ARGUMENT), like an undeliverable address. */
export const UNDELIVERABLE_STREET = 'Nowhere Lane';

export interface ShippingServerProbe {
  server: TestServer;
  /** Stops the server (connections refused), like a crashed shipping service. */
  kill(): Promise<void>;
  /** Starts it again on the same address. */
  revive(): Promise<void>;
  readonly failures: ShippingFailurePolicy;
  /** Successful ShipOrder calls per street address (our orders carry their number in the street). */
  readonly shippedCalls: Map<string, number>;
  readonly calls: () => number;
  /** Highest number of ShipOrder calls in flight at once. */
  readonly maxInFlight: () => number;
  readonly inFlight: () => number;
  /** Each call waits this long before answering (makes concurrency observable). */
  delayMs: number;
}

/** The shipping service's own handlers (failure policy included), instrumented. */
export async function startShippingServer(): Promise<ShippingServerProbe> {
  const failures = createFailurePolicy(0, cryptoRandomInt);
  const real = createShippingHandlers(createShipper({ random: cryptoRandomInt, failures }));
  let inFlight = 0;
  let maxInFlight = 0;
  let calls = 0;
  const shippedCalls = new Map<string, number>();
  const probe: Omit<ShippingServerProbe, 'server' | 'kill' | 'revive'> & { delayMs: number } = {
    failures,
    shippedCalls,
    calls: () => calls,
    maxInFlight: () => maxInFlight,
    inFlight: () => inFlight,
    delayMs: 0,
  };
  const register = (s: GrpcServer) =>
    s.add(ShippingServiceService, {
      getQuote: real.getQuote,
      async shipOrder(req, ctx) {
        calls++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          if (probe.delayMs > 0) await sleep(probe.delayMs);
          if (req.address?.streetAddress === UNDELIVERABLE_STREET) throw new InvalidArgumentError('address', 'undeliverable');
          const res = await real.shipOrder(req, ctx);
          const street = req.address?.streetAddress ?? '';
          shippedCalls.set(street, (shippedCalls.get(street) ?? 0) + 1);
          return res;
        } finally {
          inFlight--;
        }
      },
    });
  const server = await serveOn(register, 0);
  const full = Object.assign(probe, {
    server,
    async kill() {
      await full.server.stop();
    },
    async revive() {
      full.server = await serveOn(register, full.server.port);
    },
  });
  return full;
}

export interface EmailServerProbe {
  readonly server: TestServer;
  /** Delivered confirmations per order id. */
  readonly sent: Map<string, EmailMessage[]>;
  /** The next `n` sends fail with UNAVAILABLE (the mail relay is down). */
  failNext(n: number): void;
  /** Every send fails until called with false. */
  setDown(down: boolean): void;
  readonly attempts: () => number;
}

/** The email service's own handlers (render + validate) with a recording sender. */
export async function startEmailServer(): Promise<EmailServerProbe> {
  const sent = new Map<string, EmailMessage[]>();
  let failing = 0;
  let down = false;
  let attempts = 0;
  const sender: EmailSender = {
    kind: 'test',
    async send(message) {
      attempts++;
      if (down || failing > 0) {
        failing = Math.max(0, failing - 1);
        throw new UnavailableError('mail relay unavailable');
      }
      sent.set(message.orderId, [...(sent.get(message.orderId) ?? []), message]);
    },
  };
  const mailer = createConfirmationMailer(sender);
  const server = await startTestServer(s =>
    s.add(EmailServiceService, {
      async sendOrderConfirmation(req) {
        await mailer.sendOrderConfirmation(req.email, req.order);
        return {};
      },
    }),
  );
  return {
    server,
    sent,
    failNext: n => void (failing = n),
    setDown: d => void (down = d),
    attempts: () => attempts,
  };
}
