// Builds the checkout process's parts from its settings and clients: breakers, outgoing clients,
// idempotency store, rate limiter, PAID/CANCELLED publisher and the CheckoutService handlers.
// index.ts serves them; tests serve them on port 0 with their own addresses, prefixes and topic.
import { breakerSettings, createBreakers, type BreakerSettings, type Breakers } from '../../platform/breaker';
import type { Clock } from '../../platform/clock';
import type { Config } from '../../platform/config';
import { createIdempotency, idempotencySettings, type Idempotency, type IdempotencySettings } from '../../platform/idempotency';
import type { Logger } from '../../platform/logger';
import type { MqProducer } from '../../platform/mq';
import { createRateLimiter, type RateLimiter } from '../../platform/rate-limit';
import type { RedisClient } from '../../platform/redis';
import { createCheckoutClients, DEPENDENCIES, type CheckoutAddresses, type CheckoutClients } from './clients';
import { createOrderEpochs } from './order-epochs';
import { createPlaceOrder, type PlaceOrderLimits } from './place-order';
import { createCheckoutHandlers } from './server';
import { createStatusEvents } from './status-events';
import { createSupportedCurrencies } from './supported-currencies';

export interface CheckoutSettings {
  readonly addresses: CheckoutAddresses;
  /** Deadline of each outgoing call (capped below the breaker timeout). */
  readonly deadlineMs: number;
  /** Bearer token for InventoryService.Release after a decline. */
  readonly adminToken: string;
  readonly breaker: BreakerSettings;
  readonly idempotency: IdempotencySettings;
  readonly limits: PlaceOrderLimits;
  readonly currencyCacheTtlMs: number;
  readonly paymentWindowMs: number;
  /** Where PAID / CANCELLED go (FIFO topic). */
  readonly statusTopic: string;
  /** Prefix of the idempotency and rate-limit keys in Redis (tests use a unique one). */
  readonly keyPrefix: string;
}

export function checkoutSettings(config: Readonly<Config>): CheckoutSettings {
  const c = config.checkout;
  return {
    addresses: {
      cart: config.addr.cart,
      productCatalog: config.addr.productCatalog,
      currency: config.addr.currency,
      shipping: config.addr.shipping,
      payment: config.addr.payment,
    },
    deadlineMs: config.rpc.deadlineMs,
    adminToken: config.admin.token,
    breaker: breakerSettings(config),
    idempotency: idempotencySettings(config),
    limits: {
      user: { name: 'place-order per user', limit: c.userLimit, windowMs: c.rateWindowMs },
      ip: { name: 'place-order per address', limit: c.ipLimit, windowMs: c.rateWindowMs },
      trustForwardedFor: c.trustForwardedFor,
    },
    currencyCacheTtlMs: c.currencyCacheTtlMs,
    paymentWindowMs: config.order.paymentWindowMs,
    statusTopic: config.orderCore.statusTopic,
    keyPrefix: '',
  };
}

export interface CheckoutPartsDeps {
  readonly settings: CheckoutSettings;
  readonly redis: RedisClient;
  readonly producer: Pick<MqProducer, 'send'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface CheckoutParts {
  readonly handlers: ReturnType<typeof createCheckoutHandlers>;
  readonly breakers: Breakers;
  readonly clients: CheckoutClients;
  readonly idempotency: Idempotency;
  readonly limiter: RateLimiter;
  /** Closes the outgoing channels and stops the breakers' timers. */
  close(): void;
}

export function createCheckoutParts({ settings, redis, producer, clock, logger }: CheckoutPartsDeps): CheckoutParts {
  const breakers = createBreakers({ settings: settings.breaker, logger: logger.child({ component: 'breakers' }) });
  const clients = createCheckoutClients({
    addresses: settings.addresses,
    breakers,
    deadlineMs: settings.deadlineMs,
    adminToken: settings.adminToken,
  });
  const idempotency = createIdempotency({
    redis,
    clock,
    settings: settings.idempotency,
    logger: logger.child({ component: 'idempotency' }),
    prefix: settings.keyPrefix,
  });
  const limiter = createRateLimiter({ redis, clock, prefix: settings.keyPrefix });
  const placeOrder = createPlaceOrder({
    clients,
    currencies: createSupportedCurrencies({ fetch: () => clients.supportedCurrencies(), clock, ttlMs: settings.currencyCacheTtlMs }),
    idempotency,
    epochs: createOrderEpochs({ redis, prefix: settings.keyPrefix, ttlMs: settings.idempotency.derivedTtlMs }),
    limiter,
    limits: settings.limits,
    statusEvents: createStatusEvents({ producer, topic: settings.statusTopic, clock, logger: logger.child({ component: 'status-events' }) }),
    paymentOpen: () => breakers.isOpen(DEPENDENCIES.payment),
    clock,
    paymentWindowMs: settings.paymentWindowMs,
    logger,
  });
  return {
    handlers: createCheckoutHandlers(placeOrder),
    breakers,
    clients,
    idempotency,
    limiter,
    close() {
      clients.close();
      breakers.shutdown();
    },
  };
}
