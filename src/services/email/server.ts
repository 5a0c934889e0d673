import { EmailServiceService } from '../../gen/hipstershop/demo';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import type { ConfirmationMailer } from './mailer';

/** hipstershop.EmailService handlers. */
export function createEmailHandlers(mailer: ConfirmationMailer): AsyncServiceImpl<typeof EmailServiceService> {
  return {
    async sendOrderConfirmation(req) {
      await mailer.sendOrderConfirmation(req.email, req.order);
      return {};
    },
  };
}
