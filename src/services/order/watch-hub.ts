// WatchOrder's live feed: ONE subscriber connection per process, multiplexing the per-order channels
// `order:{<id>}:watch` that the result writer publishes to after each committed change. A channel is
// SUBSCRIBEd while at least one stream watches it. `close()` (server shutdown) ends every watch, so
// open streams finish cleanly instead of holding the drain until the grace period.
import type { Logger } from '../../platform/logger';
import type { RedisClient } from '../../platform/redis';
import type { ProgressRecord, ResultStore } from './result-store';

export interface Watch {
  /** Resolves once the channel is subscribed: read the current state AFTER this, so nothing is missed. */
  readonly ready: Promise<void>;
  /** The next published record; undefined when the hub closes, the signal aborts, or `timeoutMs` passes. */
  next(signal: AbortSignal, timeoutMs: number): Promise<ProgressRecord | 'timeout' | undefined>;
  close(): void;
}

export interface WatchHub {
  watch(orderId: string): Watch;
  /** Ends every watch and unsubscribes. */
  close(): Promise<void>;
  /** Channels currently subscribed (tests). */
  channels(): number;
}

interface Listener {
  push(record: ProgressRecord): void;
  end(): void;
}

export function createWatchHub(subscriber: RedisClient, results: Pick<ResultStore, 'channel' | 'decodeMessage'>, logger: Logger): WatchHub {
  const log = logger.child({ component: 'order-watch' });
  const listeners = new Map<string, Set<Listener>>();
  /** The SUBSCRIBE of each channel, shared by every watch of it (a second watcher must wait for it too). */
  const subscribed = new Map<string, Promise<void>>();
  let closed = false;
  let closing: Promise<void> | undefined;

  subscriber.on('message', (channel: string, message: string) => {
    const set = listeners.get(channel);
    if (!set) return;
    let record: ProgressRecord;
    try {
      record = results.decodeMessage(message);
    } catch (err) {
      log.warn({ channel, reason: err instanceof Error ? err.message : String(err) }, 'unreadable watch message');
      return;
    }
    for (const l of set) l.push(record);
  });

  function watch(orderId: string): Watch {
    const channel = results.channel(orderId);
    const queue: ProgressRecord[] = [];
    let ended = closed;
    let wake: (() => void) | undefined;
    const listener: Listener = {
      push(r) {
        queue.push(r);
        wake?.();
      },
      end() {
        ended = true;
        wake?.();
      },
    };
    let set = listeners.get(channel);
    if (!set) {
      listeners.set(channel, (set = new Set()));
      subscribed.set(channel, subscriber.subscribe(channel).then(() => undefined));
    }
    set.add(listener);
    const ready = subscribed.get(channel) as Promise<void>;

    return {
      ready,
      async next(signal, timeoutMs) {
        for (;;) {
          const item = queue.shift();
          if (item) return item;
          if (ended || signal.aborted) return undefined;
          const timedOut = await new Promise<boolean>(resolve => {
            const timer = setTimeout(() => finish(true), timeoutMs);
            const onAbort = () => finish(false);
            function finish(t: boolean) {
              clearTimeout(timer);
              signal.removeEventListener('abort', onAbort);
              wake = undefined;
              resolve(t);
            }
            wake = () => finish(false);
            signal.addEventListener('abort', onAbort, { once: true });
          });
          if (timedOut) return 'timeout';
        }
      },
      close() {
        const current = listeners.get(channel);
        if (!current?.delete(listener) || current.size > 0) return;
        listeners.delete(channel);
        subscribed.delete(channel);
        if (!closed) subscriber.unsubscribe(channel).catch(err => log.warn({ channel, reason: String(err) }, 'unsubscribe failed'));
      },
    };
  }

  return {
    watch,
    channels: () => listeners.size,
    close() {
      if (closing) return closing;
      closed = true;
      for (const set of listeners.values()) for (const l of set) l.end();
      listeners.clear();
      subscribed.clear();
      closing = subscriber.quit().then(() => undefined, () => subscriber.disconnect());
      return closing;
    },
  };
}
