// Address lists for allow/deny rules: "10.0.0.0/8, 192.168.1.7, ::1, 2001:db8::/32". Backed by
// node:net BlockList, which also matches IPv4-mapped IPv6 peers ("::ffff:10.1.2.3") against IPv4 rules.
import { BlockList, isIP } from 'node:net';
import { ConfigProblem, type Parser } from './config-parsers';

export interface AddressList {
  /** The entries as written (for logs and docs). */
  readonly entries: readonly string[];
  readonly empty: boolean;
  /** True when `address` (IPv4, IPv6 or IPv4-mapped IPv6) falls in any entry. */
  has(address: string): boolean;
}

/** Parses one comma-separated list; throws ConfigProblem naming the first bad entry. */
export function parseAddressList(raw: string): AddressList {
  const entries = raw.split(',').map(s => s.trim()).filter(s => s !== '');
  const list = new BlockList();
  for (const e of entries) {
    const [addr = '', prefix, extra] = e.split('/');
    const family = isIP(addr);
    if (family === 0 || extra !== undefined) throw new ConfigProblem(`has "${e}", which is not an IP address or CIDR block`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(addr, type);
      continue;
    }
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) throw new ConfigProblem(`has "${e}", whose prefix length is out of range`);
    list.addSubnet(addr, bits, type);
  }
  return {
    entries,
    empty: entries.length === 0,
    has(address) {
      const family = isIP(address);
      if (family === 0) return false;
      return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/** Config parser: "" = empty list. */
export function addressList(): Parser<AddressList> {
  return parseAddressList;
}

/** Which proxies may set X-Forwarded-For: none, all, the nearest N hops, or these addresses/blocks. */
export type TrustProxy = boolean | number | readonly string[];

/** "false" | "true" | a hop count | a comma-separated address list (validated like parseAddressList). */
export function trustProxy(): Parser<TrustProxy> {
  return raw => {
    const v = raw.trim().toLowerCase();
    if (v === 'false' || v === '') return false;
    if (v === 'true') return true;
    if (/^\d{1,2}$/.test(v)) return Number(v);
    const list = parseAddressList(raw);
    return list.entries;
  };
}
