// The gateway's settings, taken from the validated Config once at start-up. A missing or short
// session secret stops start-up with one line: forged sessions must not be possible by default.
import { ConfigError, type Config } from '../../platform/config';
import type { AddressList, TrustProxy } from '../../platform/cidr';

export const MIN_SESSION_SECRET_LENGTH = 32;

export interface GatewaySettings {
  readonly port: number;
  readonly host: string;
  readonly sessionSecret: string;
  readonly sessionTtlMs: number;
  /** '' = request signing off. */
  readonly hmacSecret: string;
  readonly hmacMaxSkewMs: number;
  readonly ipAllow: AddressList;
  readonly ipDeny: AddressList;
  readonly ratePerSecond: number;
  readonly rateBurst: number;
  readonly bodyLimitBytes: number;
  /** Empty = CORS off (no Access-Control-* headers at all). */
  readonly corsOrigins: readonly string[];
  readonly trustProxy: TrustProxy;
  readonly maxSockets: number;
  readonly maxSocketsPerIp: number;
  readonly longPollMaxMs: number;
  /** Deadline of each unary gRPC call the gateway makes. */
  readonly deadlineMs: number;
  /** Bearer token the dashboard's admin routes compare against ('' = admin routes refuse). */
  readonly adminToken: string;
}

export function gatewaySettings(config: Readonly<Config>, overrides: Partial<GatewaySettings> = {}): GatewaySettings {
  const g = config.gateway;
  const settings: GatewaySettings = {
    port: g.port,
    host: g.host,
    sessionSecret: g.sessionSecret,
    sessionTtlMs: g.sessionTtlMs,
    hmacSecret: g.hmacSecret,
    hmacMaxSkewMs: g.hmacMaxSkewMs,
    ipAllow: g.ipAllow,
    ipDeny: g.ipDeny,
    ratePerSecond: g.ratePerIp,
    rateBurst: g.rateBurst,
    bodyLimitBytes: g.bodyLimitBytes,
    corsOrigins: g.corsOrigins.split(',').map(s => s.trim()).filter(s => s !== ''),
    trustProxy: g.trustProxy,
    maxSockets: g.maxSockets,
    maxSocketsPerIp: g.maxSocketsPerIp,
    longPollMaxMs: g.longPollMaxMs,
    deadlineMs: config.rpc.deadlineMs,
    adminToken: config.admin.token,
    ...overrides,
  };
  if (settings.sessionSecret.length < MIN_SESSION_SECRET_LENGTH) {
    throw new ConfigError(
      'GATEWAY_SESSION_SECRET',
      `must be at least ${MIN_SESSION_SECRET_LENGTH} characters (got ${settings.sessionSecret.length}); ` +
        '`make run` generates one into .stack/gateway-session-secret',
    );
  }
  return settings;
}
