// Optional HMAC request signing (GATEWAY_HMAC_SECRET; off when empty), for API clients such as apps or
// partners. A signed request carries
//   x-signature-timestamp: <unix ms>
//   x-signature:           hex(HMAC-SHA256(secret, canonical))
// canonical = METHOD "\n" path-with-query "\n" timestamp "\n" hex(SHA-256(raw body bytes))
// e.g. "POST\n/api/sale-items/SKU-1/buy\n1767225600000\n<sha256 of the JSON body>". The timestamp must be
// within GATEWAY_HMAC_MAX_SKEW_MS of the gateway clock, which bounds replays of a captured request.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../platform/clock';

export const SIGNATURE_HEADER = 'x-signature';
export const SIGNATURE_TIMESTAMP_HEADER = 'x-signature-timestamp';

export interface SignedParts {
  readonly method: string;
  /** Path and query exactly as sent (request line target). */
  readonly url: string;
  readonly timestamp: string;
  readonly body: Buffer;
}

export function canonicalRequest(p: SignedParts): string {
  const bodyHash = createHash('sha256').update(p.body).digest('hex');
  return `${p.method.toUpperCase()}\n${p.url}\n${p.timestamp}\n${bodyHash}`;
}

/** What a client computes (tests and docs use it too). */
export function signRequest(secret: string, p: SignedParts): string {
  return createHmac('sha256', secret).update(canonicalRequest(p), 'utf8').digest('hex');
}

export type SignatureProblem = 'missing' | 'stale' | 'mismatch';

export interface RequestVerifier {
  readonly enabled: boolean;
  /** undefined when valid (or signing is off). */
  check(p: Omit<SignedParts, 'timestamp'> & { timestamp: string | undefined; signature: string | undefined }): SignatureProblem | undefined;
}

export function createRequestVerifier(secret: string, maxSkewMs: number, clock: Pick<Clock, 'now'>): RequestVerifier {
  return {
    enabled: secret !== '',
    check({ signature, timestamp, ...rest }) {
      if (secret === '') return undefined;
      if (signature === undefined || timestamp === undefined || !/^\d{1,15}$/.test(timestamp) || !/^[0-9a-f]{64}$/i.test(signature)) {
        return 'missing';
      }
      if (Math.abs(clock.now() - Number(timestamp)) > maxSkewMs) return 'stale';
      const expected = Buffer.from(signRequest(secret, { ...rest, timestamp }), 'hex');
      return timingSafeEqual(Buffer.from(signature, 'hex'), expected) ? undefined : 'mismatch';
    },
  };
}
