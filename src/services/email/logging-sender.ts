import { type EmailSender, maskEmail } from './sender';

export interface InfoLogger {
  info(obj: object, msg: string): void;
}

/** Default sender (upstream's "dummy" mode): logs that a confirmation would go out, sends nothing. */
export function createLoggingSender(logger: InfoLogger): EmailSender {
  return {
    kind: 'log',
    async send(message) {
      const to = maskEmail(message.to);
      logger.info({ to, orderId: message.orderId, bytes: message.text.length + message.html.length },
        `order confirmation to ${to} for order ${message.orderId}`);
    },
  };
}
