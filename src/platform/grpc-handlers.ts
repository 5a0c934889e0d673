// Adapters from `async (req, ctx) => res` (and async-iterable streams) to grpc-js handlers.
// Every thrown error, sync or async, goes through toGrpcStatus; unexpected ones are logged, never sent.
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import {
  status,
  type handleServerStreamingCall,
  type handleUnaryCall,
  type ServerUnaryCall,
  type ServerWritableStream,
  type StatusObject,
} from '@grpc/grpc-js';
import { runWithCallContext, type CallContext } from './call-context';
import { systemClock, type Clock } from './clock';
import { toGrpcStatus } from './grpc-status';
import type { LoadShedder } from './load-shedder';
import type { Logger } from './logger';
import { observeRpc, type RpcType } from './metrics/rpc-metrics';

export type UnaryImpl<Req, Res> = (req: Req, ctx: CallContext) => Promise<Res> | Res;
/** A server-streaming handler yields messages; it must watch ctx.signal while it waits for the next one. */
export type ServerStreamImpl<Req, Res> = (req: Req, ctx: CallContext) => AsyncIterable<Res>;

export interface HandlerDeps {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Admission control; omitted = every call admitted. */
  readonly shedder?: LoadShedder;
}

export const REQUEST_ID_HEADER = 'x-request-id';

type AnyServerCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

function deadlineMs(call: AnyServerCall): number {
  const d = call.getDeadline();
  return d instanceof Date ? d.getTime() : d;
}

function abortReason(message: string): Error {
  const err = new Error(message);
  err.name = 'AbortError';
  return err;
}

interface CallScope {
  readonly ctx: CallContext;
  /** Maps an error to the status sent to the caller, logging what must not be sent. */
  fail(err: unknown): Partial<StatusObject>;
  /** Ends the call's bookkeeping and records its RED metrics (status: OK unless fail() or an abort said otherwise). */
  close(): void;
}

function openScope(call: AnyServerCall, deps: HandlerDeps, type: RpcType): CallScope {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const method = call.getPath();
  const rpc = observeRpc(method, type);
  let code: number = status.OK;
  const given = call.metadata.get(REQUEST_ID_HEADER)[0];
  const requestId = typeof given === 'string' && given !== '' ? given : randomUUID();
  const controller = new AbortController();
  const deadline = deadlineMs(call);
  const onCancel = () => {
    code = status.CANCELLED;
    controller.abort(abortReason('call cancelled by the client'));
  };
  call.on('cancelled', onCancel);
  // grpc-js answers DEADLINE_EXCEEDED itself; this also tells our code to stop working on it.
  const timer = Number.isFinite(deadline)
    ? setTimeout(() => {
        code = status.DEADLINE_EXCEEDED;
        controller.abort(abortReason('deadline exceeded'));
      }, Math.max(0, deadline - clock.now()))
    : undefined;
  const logger = deps.logger.child({ method, requestId });
  const ctx: CallContext = {
    method,
    metadata: call.metadata,
    deadline,
    signal: controller.signal,
    peer: call.getPeer(),
    requestId,
    logger,
  };
  return {
    ctx,
    fail(err) {
      const st = toGrpcStatus(err);
      if (code === status.OK) code = st.code;
      if (st.unexpected) logger.error({ err, code: st.code }, 'handler failed unexpectedly');
      else logger.debug({ code: st.code, details: st.details, ms: clock.now() - started }, 'call failed');
      return { code: st.code, details: st.details };
    },
    close() {
      if (timer) clearTimeout(timer);
      call.removeListener('cancelled', onCancel);
      rpc.done(code);
    },
  };
}

/** Runs fn in the call context; a synchronous throw becomes a rejection. */
async function invoke<T>(ctx: CallContext, fn: () => Promise<T> | T): Promise<T> {
  return runWithCallContext(ctx, async () => fn());
}

export function wrapUnary<Req, Res>(impl: UnaryImpl<Req, Res>, deps: HandlerDeps): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    const scope = openScope(call as AnyServerCall, deps, 'unary');
    const admission = deps.shedder?.admit('unary', scope.ctx.method);
    if (admission && !admission.admitted) {
      callback(scope.fail(admission.error));
      scope.close();
      return;
    }
    invoke(scope.ctx, () => impl(call.request, scope.ctx))
      .then(
        res => callback(null, res),
        err => callback(scope.fail(err)),
      )
      .finally(() => {
        admission?.release();
        scope.close();
      });
  };
}

export function wrapServerStream<Req, Res>(
  impl: ServerStreamImpl<Req, Res>,
  deps: HandlerDeps,
): handleServerStreamingCall<Req, Res> {
  return call => {
    const scope = openScope(call as AnyServerCall, deps, 'server_stream');
    const admission = deps.shedder?.admit('stream', scope.ctx.method);
    if (admission && !admission.admitted) {
      call.emit('error', scope.fail(admission.error));
      scope.close();
      return;
    }
    const { signal } = scope.ctx;
    invoke(scope.ctx, async () => {
      for await (const msg of impl(call.request, scope.ctx)) {
        if (signal.aborted) break; // leaving the loop runs the generator's finally blocks
        if (!call.write(msg)) await once(call, 'drain', { signal });
      }
    })
      .then(
        () => {
          if (!signal.aborted) call.end();
        },
        err => {
          if (!call.cancelled) call.emit('error', scope.fail(err));
        },
      )
      .finally(() => {
        admission?.release();
        scope.close();
      });
  };
}
