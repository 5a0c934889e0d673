// The caller's address for per-IP limits (checkout PlaceOrder, flash-sale Buy). By default the TCP peer
// of the call (grpc-js reports "<ip>:<port>", IPv6 without brackets). Behind a trusted gateway
// (trustForwardedFor) the last x-forwarded-for hop is used: the one the gateway appended, which the
// client cannot forge (hops to its left can be).
import { isIP } from 'node:net';
import type { Metadata } from '@grpc/grpc-js';

/** "ipv4:"/"ipv6:" scheme off, "[host]:port" → host; `portMayTrail` says whether a port may still trail. */
function hostPart(text: string): { host: string; portMayTrail: boolean } {
  const bare = text.trim().replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(bare);
  return bracketed ? { host: bracketed[1] as string, portMayTrail: false } : { host: bare, portMayTrail: true };
}

/** IPv4-mapped IPv6 ("::ffff:1.2.3.4") counts as the IPv4 address; IPv6 in lower case. */
function canonicalIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? (mapped[1] as string) : ip.toLowerCase();
}

/**
 * The IP of a grpc-js peer ("1.2.3.4:5", "::1:5", "[::1]:5", "ipv4:1.2.3.4:5"); the peer text itself when
 * unparsable. grpc-js always appends the port, so it is stripped first ("::1:5050" is also a valid IPv6
 * address on its own).
 */
export function peerIp(peer: string): string {
  const { host, portMayTrail } = hostPart(peer);
  const withoutPort = portMayTrail ? host.replace(/:\d+$/, '') : host;
  if (isIP(withoutPort)) return canonicalIp(withoutPort);
  return isIP(host) ? canonicalIp(host) : peer;
}

/** The last x-forwarded-for hop when it is an IP address (usually bare, sometimes IPv4 with a port). */
export function lastForwardedIp(metadata: Metadata): string | undefined {
  const hops = metadata
    .get('x-forwarded-for')
    .filter((v): v is string => typeof v === 'string')
    .flatMap(v => v.split(','))
    .map(h => h.trim())
    .filter(h => h !== '');
  const last = hops[hops.length - 1];
  if (last === undefined) return undefined;
  const { host } = hostPart(last);
  if (isIP(host)) return canonicalIp(host);
  const v4WithPort = host.replace(/:\d+$/, '');
  return isIP(v4WithPort) === 4 ? v4WithPort : undefined;
}

/**
 * The caller's IP for per-address limits: behind a trusted gateway (trustForwardedFor) the last
 * x-forwarded-for hop, else the TCP peer without its port; the peer text itself when unparsable.
 */
export function clientAddress(call: { readonly peer: string; readonly metadata: Metadata }, trustForwardedFor: boolean): string {
  const forwarded = trustForwardedFor ? lastForwardedIp(call.metadata) : undefined;
  return forwarded ?? peerIp(call.peer);
}
