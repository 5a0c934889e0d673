// Sends fuzz cases over a generic grpc-js client with identity (de)serializers — raw bytes in, raw
// bytes out — so the server's own decoder meets whatever we send. Bounded concurrency, one channel
// per server, reused for every case.
import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import type { FuzzCase } from './cases';

export interface CaseResult {
  readonly code: status;
  readonly details: string;
  /** Stream messages received (server streaming only). */
  readonly messages: number;
}

const identity = (b: Buffer) => b;
/** Normal cases: long enough that only a hung handler hits it (multi-MiB cases get more on a busy CI box). */
export const NORMAL_DEADLINE_MS = 15_000;
const LARGE_CASE_BYTES = 256 * 1024;
const LARGE_DEADLINE_MS = 60_000;

export function createRawClient(address: string): Client {
  return new Client(address, credentials.createInsecure(), {
    'grpc.max_send_message_length': -1,
    'grpc.max_receive_message_length': -1,
  });
}

function metadataOf(c: FuzzCase): Metadata {
  const md = new Metadata();
  for (const [k, v] of Object.entries(c.metadata)) md.set(k, v);
  return md;
}

function deadlineOf(c: FuzzCase): number {
  if (c.mode === 'expired-deadline') return Date.now() - 1_000;
  if (c.mode === 'zero-deadline') return Date.now();
  return Date.now() + (c.bytes.length > LARGE_CASE_BYTES ? LARGE_DEADLINE_MS : NORMAL_DEADLINE_MS);
}

export function callUnary(client: Client, c: FuzzCase): Promise<CaseResult> {
  return new Promise(resolve => {
    const call = client.makeUnaryRequest(c.rpc, identity, identity, c.bytes, metadataOf(c), { deadline: deadlineOf(c) }, (err: ServiceError | null) =>
      resolve(err ? { code: err.code, details: err.details, messages: 0 } : { code: status.OK, details: '', messages: 0 }),
    );
    if (c.mode === 'cancelled') setImmediate(() => call.cancel());
  });
}

/** Server streaming: the stream is cancelled after its first message (a watcher that leaves). */
export function callServerStream(client: Client, c: FuzzCase): Promise<CaseResult> {
  return new Promise(resolve => {
    let messages = 0;
    const call = client.makeServerStreamRequest(c.rpc, identity, identity, c.bytes, metadataOf(c), { deadline: deadlineOf(c) });
    call.on('data', () => {
      messages += 1;
      if (messages === 1) call.cancel();
    });
    call.on('error', () => undefined); // the status event carries it
    call.on('status', s => resolve({ code: s.code, details: s.details, messages }));
    if (c.mode === 'cancelled') setImmediate(() => call.cancel());
  });
}

/** Runs `work` over 0..n-1 with at most `limit` in flight. */
export async function pool(n: number, limit: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await work(next++);
  });
  await Promise.all(lanes);
}
