// Read-only buyer routes: the product list and the flash-sale items (with the server's clock, so the
// page can correct its countdown).
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../../../platform/clock';
import type { GatewayClients } from '../clients';
import { productJson, saleItemJson } from '../json-views';
import { callMeta } from '../request-state';

export function registerCatalogRoutes(app: FastifyInstance, clients: GatewayClients, clock: Clock): void {
  app.get('/api/products', async req => ({ products: (await clients.listProducts(callMeta(req))).map(productJson) }));

  app.get('/api/sale-items', async req => {
    const items = await clients.listSaleItems(callMeta(req));
    return { items: items.map(saleItemJson), serverTime: new Date(clock.now()).toISOString() };
  });

  app.get<{ Params: { productId: string } }>('/api/sale-items/:productId', async req => {
    const item = await clients.getSaleItem(req.params.productId, callMeta(req));
    return { ...saleItemJson(item), serverTime: (item.serverTime ?? new Date(clock.now())).toISOString() };
  });
}
