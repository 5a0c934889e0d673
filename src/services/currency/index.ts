import { CurrencyServiceService } from '../../gen/hipstershop/demo';
import type { ServiceModule } from '../registry';
import { serveGrpc, service } from '../serve';
import { createCurrencyConverter } from './converter';
import { createCurrencyHandlers } from './server';

export { createCurrencyConverter } from './converter';
export { createCurrencyHandlers } from './server';

export const currencyModule: ServiceModule = {
  name: 'currency',
  summary: 'hipstershop.CurrencyService: upstream EUR-based static rates, exact conversion',
  port: (config) => config.ports.currency,
  async start(rt) {
    const handlers = createCurrencyHandlers(createCurrencyConverter());
    const { name, port } = await serveGrpc(rt, 'currency', currencyModule.port(rt.config), [service(CurrencyServiceService, handlers)]);
    return { name, port };
  },
};
