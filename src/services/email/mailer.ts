import { InvalidArgumentError } from '../../platform/errors';
import { renderOrderConfirmation } from './render-confirmation';
import type { EmailSender } from './sender';
import type { OrderSummary } from './types';

export interface ConfirmationMailer {
  sendOrderConfirmation(email: string, order: OrderSummary | undefined): Promise<void>;
}

/** Deliberately loose: one '@', something on each side, no whitespace. The mail server has the last word. */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

export function createConfirmationMailer(sender: EmailSender): ConfirmationMailer {
  return {
    async sendOrderConfirmation(email, order) {
      if (!EMAIL_SHAPE.test(email)) throw new InvalidArgumentError('email', 'must be an address like name@example.com');
      if (order === undefined) throw new InvalidArgumentError('order', 'is required');
      if (order.orderId === '') throw new InvalidArgumentError('order.order_id', 'is required');
      await sender.send(renderOrderConfirmation(email, order));
    },
  };
}
