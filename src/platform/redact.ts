// One place that knows how secrets are hidden, shared by config printing, logs and startup errors.

export const REDACTED = '[redacted]';

/** Hides the password of a URL (mysql://shop:***@host/db); returns other strings unchanged. */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password === '') return value;
    u.password = '***';
    return u.toString();
  } catch {
    // Not a URL: hide anything that looks like user:password@ anyway.
    return value.replace(/\/\/([^:/@\s]*):[^@\s]*@/, '//$1:***@');
  }
}

/** A non-empty secret becomes "[redacted]"; empty stays empty so "not set" remains visible. */
export function redactSecret(value: string): string {
  return value === '' ? '' : REDACTED;
}
