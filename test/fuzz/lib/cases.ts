// One fuzz case = request bytes + how the call is made. Built from (run seed, rpc, index) alone, so
// any failing case is rebuilt exactly by `FUZZ_SEED=<seed> FUZZ_ONLY=<rpc>#<index>`.
import type * as protobuf from 'protobufjs';
import { encodeMessage, oversizeMessage, randomMessage } from './messages';
import { caseSeed, createRng, type Rng } from './prng';
import { mutate, WIRE_KINDS, type WireKind } from './wire';

export type CaseKind = 'random' | 'empty' | 'oversize' | WireKind;
export type CallMode = 'normal' | 'expired-deadline' | 'zero-deadline' | 'cancelled';

export interface FuzzCase {
  readonly rpc: string;
  readonly index: number;
  readonly seed: number;
  readonly kind: CaseKind;
  readonly mode: CallMode;
  readonly bytes: Buffer;
  readonly metadata: Readonly<Record<string, string>>;
}

/** 4 MiB (the server's grpc.max_receive_message_length) + 1 KiB. */
export const OVERSIZE_BYTES = 4 * 1024 * 1024 + 1024;
/** Oversize cases per RPC (each sends 4 MiB). */
export const OVERSIZE_CASES = 2;

function authHeader(rng: Rng, token: string): Record<string, string> {
  const r = rng.next();
  if (r < 0.4) return { authorization: `Bearer ${token}` };
  if (r < 0.6) {
    return {
      authorization: rng.pick([`Bearer ${token}x`, `bearer ${token.slice(1)}`, `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`, 'Bearer', 'Bearer  ', token, `Bearer ${token} extra`]),
    };
  }
  return {};
}

function extraMetadata(rng: Rng): Record<string, string> {
  const md: Record<string, string> = {};
  if (rng.chance(0.1)) md['idempotency-key'] = rng.pick(['', 'k', 'x'.repeat(300), `fuzz-${rng.int(0, 1e9)}`, '../../etc']);
  if (rng.chance(0.05)) md['x-request-id'] = rng.pick(['', 'r'.repeat(500), 'id with spaces']);
  if (rng.chance(0.05)) md['x-forwarded-for'] = rng.pick(['1.2.3.4', '::1', 'not-an-ip', '1.1.1.1, 2.2.2.2', '']);
  return md;
}

export function buildCase(runSeed: number, rpc: string, index: number, type: protobuf.Type, adminToken: string): FuzzCase {
  const seed = caseSeed(runSeed, rpc, index);
  const rng = createRng(seed);
  const metadata = { ...authHeader(rng, adminToken), ...extraMetadata(rng) };
  const base = { rpc, index, seed, metadata };
  if (index < OVERSIZE_CASES) return { ...base, kind: 'oversize', mode: 'normal', bytes: oversizeMessage(type, OVERSIZE_BYTES) };
  const valid = encodeMessage(type, randomMessage(rng, type));
  const r = rng.next();
  if (r < 0.5) return { ...base, kind: 'random', mode: 'normal', bytes: valid };
  if (r < 0.84) {
    const kind = rng.pick(WIRE_KINDS);
    return { ...base, kind, mode: 'normal', bytes: mutate(rng, kind, type, valid) };
  }
  if (r < 0.88) return { ...base, kind: 'empty', mode: 'normal', bytes: Buffer.alloc(0) };
  if (r < 0.92) return { ...base, kind: 'random', mode: 'expired-deadline', bytes: valid };
  if (r < 0.96) return { ...base, kind: 'random', mode: 'zero-deadline', bytes: valid };
  return { ...base, kind: 'random', mode: 'cancelled', bytes: valid };
}

/** One line that rebuilds the case, plus a bounded hex of its bytes. */
export function describeCase(c: FuzzCase, runSeed: number): string {
  const hex = c.bytes.subarray(0, 96).toString('hex');
  return `FUZZ_SEED=${runSeed} FUZZ_ONLY='${c.rpc}#${c.index}' kind=${c.kind} mode=${c.mode} bytes=${c.bytes.length} md=${JSON.stringify(
    Object.fromEntries(Object.entries(c.metadata).map(([k, v]) => [k, v.length > 40 ? `${v.slice(0, 40)}…` : v])),
  )} hex=${hex}${c.bytes.length > 96 ? '…' : ''}`;
}
