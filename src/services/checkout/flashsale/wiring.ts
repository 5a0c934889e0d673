// Wires FlashSaleService into the checkout process from its Runtime and checkout's shared parts: the
// same inventory breaker, rate limiter and idempotency store as PlaceOrder, and the currency client
// for buyers paying in another currency. checkout/index.ts serves the returned registration.
import { FlashSaleServiceService } from '../../../gen/shop/v1/flashsale';
import { InventoryServiceClient } from '../../../gen/shop/v1/inventory';
import { createGrpcClient } from '../../../platform/grpc-client';
import type { Runtime } from '../../runtime';
import { service, type Registration } from '../../serve';
import { DEPENDENCIES } from '../clients';
import type { CheckoutParts } from '../wiring';
import { createFlashSaleHandlers } from './flashsale-handlers';
import { createInventoryPort } from './inventory-port';
import { createSaleItemRepo } from './sale-item-repo';
import { flashSaleSettings } from './settings';
import { createResultStore } from '../../order/result-store';

export async function flashSaleRegistration(
  rt: Runtime,
  parts: Pick<CheckoutParts, 'breakers' | 'limiter' | 'idempotency' | 'clients'>,
): Promise<Registration> {
  const [redis, database] = await Promise.all([rt.redis(), rt.db()]);
  const results = createResultStore(redis, { ttlMs: rt.config.orderCore.resultTtlMs, clock: rt.clock, logger: rt.logger });
  const inventoryClient = createGrpcClient(InventoryServiceClient, rt.config.addr.productCatalog);
  rt.shutdown.register('checkout:flashsale-inventory-client', 'close', async () => inventoryClient.close());
  const handlers = createFlashSaleHandlers({
    redis,
    saleItems: createSaleItemRepo(database.db),
    inventory: createInventoryPort(inventoryClient, parts.breakers.unaryOptions(DEPENDENCIES.inventory, rt.config.rpc.deadlineMs)),
    rateLimiter: parts.limiter,
    idempotency: parts.idempotency,
    clock: rt.clock,
    logger: rt.logger.child({ service: 'checkout', component: 'flashsale' }),
    settings: flashSaleSettings(rt.config),
    convertPrice: (price, to) => parts.clients.convert(price, to),
    // The buyer's result key says IN_PROGRESS from the moment of acceptance (the order service owns it).
    onAccepted: a => results.markInProgress(a.orderId, a.userId, a.expiresAt),
  });
  return service(FlashSaleServiceService, handlers);
}
