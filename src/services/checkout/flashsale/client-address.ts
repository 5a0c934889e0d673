// The caller's address for per-IP limits. By default the TCP peer of the call (grpc-js reports
// "<ip>:<port>", IPv6 without brackets). Behind a trusted gateway (FLASH_TRUST_FORWARDED_FOR) the
// last x-forwarded-for entry is used: the one the gateway appended, which the client cannot forge
// (entries to its left can be).
import { isIP } from 'node:net';
import type { Metadata } from '@grpc/grpc-js';

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

function normalise(ip: string): string {
  const mapped = V4_MAPPED.exec(ip);
  return (mapped ? mapped[1]! : ip).toLowerCase();
}

/** Drops a "ipv4:"/"ipv6:" scheme; "[host]:port" gives host alone (bracketed = no port left). */
function unwrap(text: string): { readonly host: string; readonly bracketed: boolean } {
  const rest = text.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(rest);
  return bracketed ? { host: bracketed[1]!, bracketed: true } : { host: rest, bracketed: false };
}

/**
 * The IP of a grpc-js peer ("1.2.3.4:5", "::1:5", "[::1]:5", "ipv4:1.2.3.4:5"); the input when
 * unparsable. grpc-js always appends the port, so it is stripped first ("::1:5050" is also a valid
 * IPv6 address on its own).
 */
export function peerIp(peer: string): string {
  const { host, bracketed } = unwrap(peer);
  const withoutPort = bracketed ? host : host.replace(/:\d+$/, '');
  if (withoutPort !== host && isIP(withoutPort)) return normalise(withoutPort);
  if (isIP(host)) return normalise(host);
  return peer;
}

/** A forwarded-for entry: usually a bare IP, sometimes with a port. */
function entryIp(entry: string): string | undefined {
  const { host } = unwrap(entry);
  if (isIP(host)) return normalise(host);
  const withoutPort = host.replace(/:\d+$/, '');
  return isIP(withoutPort) === 4 ? withoutPort : undefined;
}

/** The last x-forwarded-for entry when it is an IP address. */
export function forwardedIp(metadata: Metadata): string | undefined {
  const values = metadata.get('x-forwarded-for').filter((v): v is string => typeof v === 'string');
  const entries = values.join(',').split(',').map(s => s.trim()).filter(s => s !== '');
  const last = entries[entries.length - 1];
  if (last === undefined) return undefined;
  return entryIp(last);
}

export function clientAddress(call: { readonly peer: string; readonly metadata: Metadata }, trustForwardedFor: boolean): string {
  if (trustForwardedFor) {
    const forwarded = forwardedIp(call.metadata);
    if (forwarded) return forwarded;
  }
  return peerIp(call.peer);
}
