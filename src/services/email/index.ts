import { EmailServiceService } from '../../gen/hipstershop/demo';
import type { ServiceModule } from '../registry';
import { serveGrpc, service } from '../serve';
import { createLoggingSender } from './logging-sender';
import { createConfirmationMailer } from './mailer';
import { createEmailHandlers } from './server';

export { createLoggingSender } from './logging-sender';
export { createConfirmationMailer } from './mailer';
export { type EmailSender } from './sender';
export { createEmailHandlers } from './server';

export const emailModule: ServiceModule = {
  name: 'email',
  summary: 'hipstershop.EmailService: renders order confirmations; logs them (SMTP seam typed, not implemented)',
  port: (config) => config.ports.email,
  async start(rt) {
    // EMAIL_MODE=smtp (proposed) would pick createSmtpSender(config.email.smtp) here.
    const sender = createLoggingSender(rt.logger.child({ component: 'email' }));
    const handlers = createEmailHandlers(createConfirmationMailer(sender));
    const { name, port } = await serveGrpc(rt, 'email', emailModule.port(rt.config), [service(EmailServiceService, handlers)]);
    return { name, port };
  },
};
