import type { EmailSender } from './sender';

/** What an SMTP sender will need (EMAIL_SMTP_* config); typed now so config and wiring can land first. */
export interface SmtpConfig {
  host: string;
  port: number;
  /** Implicit TLS (465) vs STARTTLS/plain. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
}

export class SmtpNotImplementedError extends Error {
  override readonly name = 'SmtpNotImplementedError';
  constructor() {
    super('EMAIL_MODE=smtp is not implemented yet; use EMAIL_MODE=log');
  }
}

/** Seam for real delivery. Fails at construction so a misconfigured process stops at boot, not per mail. */
export function createSmtpSender(_config: SmtpConfig): EmailSender {
  throw new SmtpNotImplementedError();
}
