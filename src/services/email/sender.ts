import type { EmailMessage } from './types';

/** Delivers a rendered message; implementations decide how (log, SMTP, …). */
export interface EmailSender {
  readonly kind: string;
  send(message: EmailMessage): Promise<void>;
}

/** `a***@example.com`: enough to correlate, not enough to harvest. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
