// The client address of a raw Node request, with the same X-Forwarded-For rules Fastify applies to
// req.ip for GATEWAY_TRUST_PROXY (needed for WebSocket upgrades, which bypass Fastify): walk the hops
// from the nearest one and stop at the first address that is not a trusted proxy.
import type { IncomingMessage } from 'node:http';
import { parseAddressList, type TrustProxy } from '../../platform/cidr';

export function createClientIp(trust: TrustProxy): (req: IncomingMessage) => string {
  const list = Array.isArray(trust) ? parseAddressList(trust.join(',')) : undefined;
  const trusted = (addr: string, hop: number): boolean => {
    if (trust === true) return true;
    if (trust === false) return false;
    if (typeof trust === 'number') return hop < trust;
    return list?.has(addr) ?? false;
  };
  return req => {
    const peer = req.socket.remoteAddress ?? '';
    if (trust === false) return peer;
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map(s => s.trim()).filter(s => s !== '');
    const hops = [peer, ...forwarded.reverse()];
    for (let i = 0; i < hops.length - 1; i++) {
      if (!trusted(hops[i] as string, i)) return hops[i] as string;
    }
    return hops[hops.length - 1] as string;
  };
}
