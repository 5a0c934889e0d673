// A buyer's view of one order: OrderService.WatchOrder, re-opened after a dropped stream (the server
// sends the current progress first on every open), until the caller says stop or a deadline passes.
import type { ClientReadableStream } from '@grpc/grpc-js';
import type { OrderProgress } from '../../src/gen/shop/v1/order';

export type WatchFn = (req: { orderId: string; userId: string }) => ClientReadableStream<OrderProgress>;

export interface Following {
  /** 'stopped' after stop(), 'timeout' when the deadline passed first. */
  readonly done: Promise<'stopped' | 'timeout'>;
  stop(): void;
}

const REOPEN_DELAY_MS = 500;

export function followOrder(
  watch: WatchFn,
  req: { orderId: string; userId: string },
  deadlineAtMs: number,
  onProgress: (p: OrderProgress) => void,
  onStreamError: (code: string) => void,
): Following {
  let finished = false;
  let stream: ClientReadableStream<OrderProgress> | undefined;
  let reopenTimer: NodeJS.Timeout | undefined;
  let resolveDone: (v: 'stopped' | 'timeout') => void = () => undefined;
  const done = new Promise<'stopped' | 'timeout'>(r => (resolveDone = r));

  const finish = (how: 'stopped' | 'timeout') => {
    if (finished) return;
    finished = true;
    clearTimeout(deadlineTimer);
    clearTimeout(reopenTimer);
    stream?.removeAllListeners();
    stream?.on('error', () => undefined); // the cancel below surfaces as CANCELLED
    stream?.cancel();
    resolveDone(how);
  };
  const deadlineTimer = setTimeout(() => finish('timeout'), Math.max(0, deadlineAtMs - Date.now()));

  const open = () => {
    if (finished) return;
    const s = watch(req);
    stream = s;
    let reopened = false;
    const reopen = () => {
      if (reopened || finished) return;
      reopened = true;
      reopenTimer = setTimeout(open, REOPEN_DELAY_MS);
    };
    s.on('data', (p: OrderProgress) => {
      if (!finished) onProgress(p);
    });
    s.on('error', (err: { code?: number; details?: string }) => {
      if (finished) return;
      onStreamError(String(err.code ?? 'unknown'));
      reopen();
    });
    // The server ends the stream after a terminal state; the caller normally stopped before that.
    s.on('end', reopen);
  };
  open();
  return { done, stop: () => finish('stopped') };
}
