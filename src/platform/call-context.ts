// The context of the incoming gRPC call being served, visible to code it calls (via AsyncLocalStorage)
// so outgoing calls can inherit its deadline, cancellation and allow-listed metadata.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Metadata } from '@grpc/grpc-js';
import type { Logger } from './logger';

export interface CallContext {
  /** Full method path, e.g. "/hipstershop.CheckoutService/PlaceOrder". */
  readonly method: string;
  readonly metadata: Metadata;
  /** Epoch ms; Infinity when the caller set no deadline. */
  readonly deadline: number;
  /** Aborted when the caller cancels, the deadline passes, or the server is force-stopped. */
  readonly signal: AbortSignal;
  readonly peer: string;
  /** From x-request-id, or generated when absent; propagated to outgoing calls. */
  readonly requestId: string;
  readonly logger: Logger;
}

const storage = new AsyncLocalStorage<CallContext>();

export function runWithCallContext<T>(ctx: CallContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}
