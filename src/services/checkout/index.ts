// The checkout service module: hipstershop.CheckoutService (PlaceOrder) on CHECKOUT_PORT, plus
// shop.v1.FlashSaleService (flashsale/, wired by the hook below). Every outgoing call goes through a
// per-dependency breaker; Redis holds idempotency records and rate-limit counters; PAID/CANCELLED go
// to the order-status topic through a producer that starts in the background.
import { CheckoutServiceService } from '../../gen/hipstershop/demo';
import { createMqProducer } from '../../platform/mq';
import type { RunningService, ServiceModule } from '../registry';
import type { Runtime } from '../runtime';
import { serveGrpc, service, type Registration } from '../serve';
import { startBackgroundProducer } from './background-producer';
import { flashSaleRegistration } from './flashsale/wiring';
import { checkoutSettings, createCheckoutParts, type CheckoutParts } from './wiring';

export { createCheckoutParts, checkoutSettings, type CheckoutParts, type CheckoutSettings } from './wiring';
export type { CheckoutAddresses } from './clients';

export const CHECKOUT_SERVICE = 'checkout';

/**
 * FLASH-SALE HOOK: shop.v1.FlashSaleService (flashsale/, its owner's wiring) shares checkout's
 * breakers, rate limiter, idempotency store and currency client. It also needs MySQL (sale items).
 */
async function flashSaleRegistrations(rt: Runtime, parts: CheckoutParts): Promise<Registration[]> {
  return [await flashSaleRegistration(rt, parts)];
}

export const checkoutModule: ServiceModule = {
  name: CHECKOUT_SERVICE,
  summary: 'hipstershop.CheckoutService.PlaceOrder (+ shop.v1.FlashSaleService): validation, idempotency, rate limits, breakers',
  port: config => config.ports.checkout,
  async start(rt: Runtime): Promise<RunningService> {
    const logger = rt.logger.child({ service: CHECKOUT_SERVICE });
    const redis = await rt.redis();
    const producer = startBackgroundProducer({
      create: () =>
        createMqProducer({
          endpoints: rt.config.rocketmq.endpoints,
          namespace: rt.config.rocketmq.namespace,
          topics: [rt.config.orderCore.statusTopic],
          logger: logger.child({ component: 'status-producer' }),
          startupTimeoutMs: rt.config.rocketmq.startupTimeoutMs,
        }),
      clock: rt.clock,
      logger: logger.child({ component: 'status-producer' }),
    });
    rt.shutdown.register(`${CHECKOUT_SERVICE}:status-producer`, 'drain', () => producer.stop());
    const parts = createCheckoutParts({ settings: checkoutSettings(rt.config), redis, producer, clock: rt.clock, logger });
    rt.shutdown.register(`${CHECKOUT_SERVICE}:clients`, 'close', async () => parts.close());
    const served = await serveGrpc(rt, CHECKOUT_SERVICE, rt.config.ports.checkout, [
      service(CheckoutServiceService, parts.handlers),
      ...(await flashSaleRegistrations(rt, parts)),
    ]);
    return { name: served.name, port: served.port };
  },
};
