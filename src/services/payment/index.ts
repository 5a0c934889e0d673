import { PaymentServiceService } from '../../gen/hipstershop/demo';
import type { ServiceModule } from '../registry';
import { serveGrpc, service } from '../serve';
import { createChargeRepo } from './charge-repo';
import { createPaymentProcessor } from './processor';
import { createPaymentHandlers } from './server';

export { createChargeRepo, type ChargeRepo } from './charge-repo';
export { createPaymentProcessor } from './processor';
export { createPaymentHandlers, IDEMPOTENCY_KEY_HEADER } from './server';
export { paymentCharges } from './schema';

export const paymentModule: ServiceModule = {
  name: 'payment',
  summary: 'hipstershop.PaymentService: upstream card rules, charges recorded in MySQL, idempotent by key',
  port: (config) => config.ports.payment,
  async start(rt) {
    const database = await rt.db();
    const processor = createPaymentProcessor({
      repo: createChargeRepo(database.db),
      now: () => new Date(rt.clock.now()),
    });
    const { name, port } = await serveGrpc(rt, 'payment', paymentModule.port(rt.config), [service(PaymentServiceService, createPaymentHandlers(processor))]);
    return { name, port };
  },
};
