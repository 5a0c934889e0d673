// The binlog reader loop: binlog transactions → change events → RocketMQ, then the checkpoint.
//  - the position saved is always the end of a transaction whose events were ALL accepted by the broker
//    (never ahead of what was sent), so a crash replays at most the transactions after it; consumers drop
//    the replays by event key;
//  - saves are coalesced (checkpointIntervalMs); transactions without watched rows move the position at
//    most every idleCheckpointMs (the save is itself a transaction in the binlog: no write per write);
//  - no checkpoint yet: the current binlog end is saved first, so even a crash before the first send
//    resumes from a known point instead of "the end at restart" (which would skip changes);
//  - a broken binlog connection restarts from the end of the last transaction handed over (backoff);
//  - stop(): stop reading, send what was read (retrying while the broker answers), save, resolve.
import type { Clock } from '../../platform/clock';
import type { CdcTable } from '../../platform/config-schema';
import type { Logger } from '../../platform/logger';
import type { BinlogPosition, BinlogSource } from './binlog-source';
import { changeEvents, type BinlogTransaction, type ChangeEvent } from './change-events';
import type { PositionStore } from './position-store';

export interface ReaderSettings {
  readonly checkpointIntervalMs: number;
  readonly idleCheckpointMs: number;
  readonly maxQueuedTransactions: number;
  /** First retry delay after a failed send or a broken stream (doubles, capped at 30 s). */
  readonly retryMs?: number;
}

export interface ReaderDeps {
  openSource(handlers: { onTransaction(tx: BinlogTransaction): void; onError(err: Error): void }): BinlogSource;
  publish(events: readonly ChangeEvent[]): Promise<void>;
  readonly positions: PositionStore;
  currentEnd(): Promise<BinlogPosition>;
  readonly tables: readonly CdcTable[];
  /** The schema read; stamped on every event so consumers of other databases skip it. */
  readonly database?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: ReaderSettings;
}

export interface ReaderStats {
  transactions: number;
  events: number;
  checkpoints: number;
  restarts: number;
}

export interface BinlogReader {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly stats: Readonly<ReaderStats>;
  /** Where the reader resumes after a crash right now (tests, metrics). */
  saved(): BinlogPosition | undefined;
}

const MAX_RETRY_MS = 30_000;

export function createBinlogReader(deps: ReaderDeps): BinlogReader {
  const { clock, settings } = deps;
  const log = deps.logger.child({ component: 'binlog-reader' });
  const retryMs = settings.retryMs ?? 1_000;
  const stats: ReaderStats = { transactions: 0, events: 0, checkpoints: 0, restarts: 0 };
  const queue: BinlogTransaction[] = [];
  const stopping = new AbortController();
  let source: BinlogSource | undefined;
  let paused = false;
  let broken: Error | undefined;
  let wake: (() => void) | undefined;
  let pump: Promise<void> | undefined;
  /** End of the last transaction handed over by the source (a restart continues here). */
  let queuedEnd: BinlogPosition | undefined;
  /** End of the last transaction whose events were all sent. */
  let sent: BinlogPosition | undefined;
  let saved: BinlogPosition | undefined;
  let savedAt = 0;
  let dirty = false;

  const signal = () => wake?.();

  function open(): BinlogSource {
    return deps.openSource({
      onTransaction(tx) {
        queuedEnd = { file: tx.file, position: tx.position, gtid: tx.gtid };
        queue.push(tx);
        if (!paused && queue.length >= settings.maxQueuedTransactions) {
          paused = true;
          source?.pause();
        }
        signal();
      },
      onError(err) {
        broken ??= err;
        signal();
      },
    });
  }

  async function checkpoint(force: boolean): Promise<void> {
    if (!sent || (saved && saved.file === sent.file && saved.position === sent.position)) return;
    const due = clock.now() - savedAt >= (dirty ? settings.checkpointIntervalMs : settings.idleCheckpointMs);
    if (!force && !due) return;
    const position = sent;
    try {
      await deps.positions.save(position);
      saved = position;
      savedAt = clock.now();
      dirty = false;
      stats.checkpoints++;
    } catch (err) {
      log.warn({ reason: (err as Error).message }, 'saving the binlog position failed; retrying later');
    }
  }

  async function send(events: readonly ChangeEvent[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await deps.publish(events);
        return true;
      } catch (err) {
        if (stopping.signal.aborted && attempt >= 2) {
          log.warn({ reason: (err as Error).message, events: events.length }, 'stopping with unsent change events; they are replayed at the next start');
          return false;
        }
        if (attempt === 0 || attempt % 10 === 0) log.warn({ reason: (err as Error).message, attempt }, 'sending change events failed; retrying');
        await clock.sleep(Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(attempt, 5))).catch(() => undefined);
      }
    }
  }

  async function restartSource(): Promise<void> {
    const err = broken;
    broken = undefined;
    stats.restarts++;
    await source?.stop().catch(() => undefined);
    source = undefined;
    for (let attempt = 0; !stopping.signal.aborted; attempt++) {
      const from = queuedEnd ?? sent;
      if (!from) return;
      log.warn({ reason: err?.message, file: from.file, position: from.position }, 'binlog stream broke; reconnecting');
      await clock.sleep(Math.min(MAX_RETRY_MS, retryMs * 2 ** Math.min(attempt, 5)), stopping.signal).catch(() => undefined);
      if (stopping.signal.aborted) return;
      const next = open();
      try {
        await next.start(from);
        source = next;
        paused = false;
        return;
      } catch (e) {
        await next.stop().catch(() => undefined);
        log.warn({ reason: (e as Error).message }, 'binlog reconnect failed');
      }
    }
  }

  async function run(): Promise<void> {
    const tick = Math.max(100, Math.min(1_000, settings.checkpointIntervalMs || 100));
    for (;;) {
      const tx = queue.shift();
      if (tx) {
        const events = changeEvents(tx, deps.tables, deps.database ?? '');
        if (events.length > 0 && !(await send(events))) return;
        stats.transactions++;
        stats.events += events.length;
        sent = { file: tx.file, position: tx.position, gtid: tx.gtid };
        if (events.length > 0) dirty = true;
        if (paused && queue.length <= settings.maxQueuedTransactions / 2) {
          paused = false;
          source?.resume();
        }
        await checkpoint(false);
        continue;
      }
      if (stopping.signal.aborted) return;
      if (broken) {
        await restartSource();
        continue;
      }
      await new Promise<void>(resolve => {
        const timer = setTimeout(done, tick);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
      await checkpoint(false);
    }
  }

  return {
    stats,
    saved: () => saved,
    async start() {
      let from = await deps.positions.load();
      if (!from) {
        from = await deps.currentEnd();
        await deps.positions.save(from);
        log.info({ file: from.file, position: from.position }, 'no saved binlog position: starting at the current end');
      }
      saved = from;
      sent = from;
      savedAt = clock.now();
      const first = open();
      try {
        await first.start(from);
      } catch (err) {
        await first.stop().catch(() => undefined);
        throw err;
      }
      source = first;
      pump = run().catch(err => log.error({ err }, 'binlog reader loop failed'));
    },
    async stop() {
      if (stopping.signal.aborted) return pump;
      stopping.abort();
      await source?.stop().catch(() => undefined);
      source = undefined;
      signal();
      await pump;
      await checkpoint(true);
      log.info({ ...stats, file: saved?.file, position: saved?.position }, 'binlog reader stopped');
    },
  };
}
