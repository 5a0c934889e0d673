// Parsers for config values. Each one turns a raw env string into a typed value or throws
// ConfigProblem with a phrase that completes "config: KEY ..." (e.g. "must be an integer port 0-65535").

/** Thrown by a parser; loadConfig turns it into a one-line ConfigError naming the key. */
export class ConfigProblem extends Error {
  override readonly name = 'ConfigProblem';
}

export type Parser<T> = (raw: string) => T;

const INT_RE = /^-?\d+$/;

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Parser<number> {
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `${min}-${max}`;
  return raw => {
    const n = INT_RE.test(raw.trim()) ? Number(raw.trim()) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigProblem(`must be an integer ${range}`);
    return n;
  };
}

export function port(): Parser<number> {
  const parse = integer(0, 65535);
  return raw => {
    try {
      return parse(raw);
    } catch {
      throw new ConfigProblem('must be an integer port 0-65535');
    }
  };
}

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function boolean(): Parser<boolean> {
  return raw => {
    const v = raw.trim().toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    throw new ConfigProblem('must be true or false (or 1/0, yes/no, on/off)');
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  return raw => {
    const v = raw.trim();
    if ((values as readonly string[]).includes(v)) return v as T;
    throw new ConfigProblem(`must be one of ${values.join(', ')}`);
  };
}

/** Any string, used as-is (namespaces, tokens). */
export function text(): Parser<string> {
  return raw => raw;
}

const HOST_RE = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)$/;

export function host(): Parser<string> {
  return raw => {
    const v = raw.trim();
    if (!HOST_RE.test(v)) throw new ConfigProblem('must be a host name or IP address');
    return v;
  };
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

function splitHostPort(raw: string): HostPort | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(raw.trim());
  if (!m) return undefined;
  const p = Number(m[2]);
  if (p < 1 || p > 65535) return undefined;
  return { host: m[1] as string, port: p };
}

/** A gRPC-style "host:port" address, returned unchanged (what grpc-js dials). */
export function address(): Parser<string> {
  return raw => {
    if (!splitHostPort(raw)) throw new ConfigProblem('must be host:port with a port 1-65535');
    return raw.trim();
  };
}

/** "host:port,host:port" → list; empty string → empty list. */
export function hostPortList(): Parser<readonly HostPort[]> {
  return raw => {
    const parts = raw.split(',').map(s => s.trim()).filter(s => s !== '');
    return parts.map(p => {
      const hp = splitHostPort(p);
      if (!hp) throw new ConfigProblem('must be a comma-separated list of host:port');
      return hp;
    });
  };
}

/** ';' or ',' separated host:port list, normalised to the ';' form rocketmq-client-nodejs expects. */
export function endpointList(): Parser<string> {
  return raw => {
    const parts = raw.split(/[;,]/).map(s => s.trim()).filter(s => s !== '');
    if (parts.length === 0 || parts.some(p => !splitHostPort(p))) {
      throw new ConfigProblem('must be a ;-separated list of host:port (at least one)');
    }
    return parts.join(';');
  };
}

/** A URL with one of the given schemes and a host; returned as the trimmed string. */
export function url(schemes: readonly string[], opts: { requirePath?: boolean } = {}): Parser<string> {
  const want = schemes.map(s => `${s}://`).join(' or ');
  return raw => {
    let u: URL;
    try {
      u = new URL(raw.trim());
    } catch {
      throw new ConfigProblem(`must be a URL like ${want}host:port`);
    }
    if (!schemes.includes(u.protocol.replace(/:$/, ''))) throw new ConfigProblem(`must use scheme ${want}`);
    if (u.hostname === '') throw new ConfigProblem('must name a host');
    if (u.port !== '' && Number(u.port) < 1) throw new ConfigProblem('must have a port 1-65535');
    if (opts.requirePath && u.pathname.replace(/^\//, '') === '') {
      throw new ConfigProblem(`must name a database (${want}user:pass@host:port/db)`);
    }
    return raw.trim();
  };
}
