// Optional TLS for gRPC (GRPC_TLS_CERT_FILE / GRPC_TLS_KEY_FILE on servers, GRPC_TLS_CA_FILE on clients).
// Empty = plaintext, the default: in a mesh the sidecar does TLS. Files are read once, at start-up;
// a missing or unreadable file stops start-up with one line naming the key.
import { readFileSync } from 'node:fs';
import { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';
import { ConfigError, type Config } from './config';

export type GrpcTlsConfig = Config['grpcTls'];

function readPem(key: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'read error';
    throw new ConfigError(key, `cannot be read (${code}): "${file}"`);
  }
}

export function serverTlsEnabled(tls: GrpcTlsConfig): boolean {
  if ((tls.certFile === '') !== (tls.keyFile === '')) {
    throw new ConfigError(tls.certFile === '' ? 'GRPC_TLS_CERT_FILE' : 'GRPC_TLS_KEY_FILE', 'must be set together with the other of GRPC_TLS_CERT_FILE / GRPC_TLS_KEY_FILE');
  }
  return tls.certFile !== '';
}

/** Server credentials: TLS with the configured certificate, or plaintext when none is configured. */
export function serverCredentials(tls: GrpcTlsConfig | undefined): ServerCredentials {
  if (!tls || !serverTlsEnabled(tls)) return ServerCredentials.createInsecure();
  const cert = readPem('GRPC_TLS_CERT_FILE', tls.certFile);
  const key = readPem('GRPC_TLS_KEY_FILE', tls.keyFile);
  // No client certificates asked for: callers authenticate with the admin bearer token where it matters.
  return ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
}

/** Client credentials: TLS verified against GRPC_TLS_CA_FILE, or plaintext when it is empty. */
export function clientCredentials(tls: Pick<GrpcTlsConfig, 'caFile'>): ChannelCredentials {
  if (tls.caFile === '') return ChannelCredentials.createInsecure();
  return ChannelCredentials.createSsl(readPem('GRPC_TLS_CA_FILE', tls.caFile));
}
