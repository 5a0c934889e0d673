// The MariaDB binlog as a stream of committed transactions, over @vlasky/zongji (a replication client:
// it registers as a replica with its own server id and receives row-based events).
// Rows are collected from the transaction's GTID event to its commit (XID) and handed over as one
// BinlogTransaction carrying where the binlog continues after it, so a checkpoint is always a
// transaction boundary. Transactions without watched rows are handed over too (empty), so the position
// keeps moving while other databases write.
import ZongJi from '@vlasky/zongji';
import type { BinlogEvent, RowsEvent, UpdateRowData, XidEvent } from '@vlasky/zongji';
import type { Logger } from '../../platform/logger';
import type { BinlogTransaction, RawRowChange, RowOp } from './change-events';

export interface BinlogPosition {
  readonly file: string;
  readonly position: number;
  readonly gtid: string;
}

export interface BinlogConnection {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
}

export interface BinlogSourceOptions {
  readonly connection: BinlogConnection;
  readonly serverId: number;
  readonly schema: string;
  /** Tables whose row events are decoded (others are skipped by zongji). */
  readonly tables: readonly string[];
  readonly logger: Logger;
  onTransaction(tx: BinlogTransaction): void;
  /** The stream broke (connection lost, decode error): the owner restarts from its last position. */
  onError(err: Error): void;
}

export interface BinlogSource {
  /** Streams from `from` (a transaction boundary); resolves once the server accepted the dump. */
  start(from: BinlogPosition): Promise<void>;
  stop(): Promise<void>;
  /** Backpressure: stop / restart reading from the socket. */
  pause(): void;
  resume(): void;
}

const ROW_OPS: Readonly<Record<string, RowOp>> = { writerows: 'insert', updaterows: 'update', deleterows: 'delete' };

interface SocketControl {
  connection?: { pause(): void; resume(): void };
}

export function createBinlogSource(opts: BinlogSourceOptions): BinlogSource {
  const log = opts.logger.child({ component: 'binlog-source' });
  let zongji: ZongJi | undefined;
  let rows: RawRowChange[] = [];
  let gtid = '';

  function onEvent(event: BinlogEvent, z: ZongJi): void {
    const name = event.getEventName();
    if (name === 'mariadbgtid' || name === 'gtid') {
      rows = [];
      gtid = event.gtid ?? '';
      return;
    }
    const op = ROW_OPS[name];
    if (op) {
      const e = event as RowsEvent & { rows: unknown[] };
      const map = e.tableMap[e.tableId];
      if (!map || map.parentSchema !== opts.schema || !opts.tables.includes(map.tableName)) return;
      for (const row of e.rows) {
        if (op === 'update') {
          const u = row as UpdateRowData;
          rows.push({ table: map.tableName, op, before: u.before, after: u.after });
        } else {
          const image = row as Record<string, unknown>;
          rows.push(op === 'insert' ? { table: map.tableName, op, after: image } : { table: map.tableName, op, before: image });
        }
      }
      return;
    }
    if (name === 'xid') {
      const x = event as XidEvent;
      const tx: BinlogTransaction = {
        file: z.options.filename ?? '',
        position: x.nextPosition,
        gtid: x.gtid ?? gtid,
        committedAtMs: x.timestamp,
        rows,
      };
      rows = [];
      opts.onTransaction(tx);
    }
  }

  return {
    start(from) {
      const z = new ZongJi({
        host: opts.connection.host,
        port: opts.connection.port,
        user: opts.connection.user,
        password: opts.connection.password,
        // Row values as the text the events carry: datetimes stay UTC text, big integers stay exact.
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: true,
        jsonStrings: true,
      });
      zongji = z;
      rows = [];
      return new Promise<void>((resolve, reject) => {
        let ready = false;
        z.on('ready', () => {
          ready = true;
          log.info({ file: from.file, position: from.position, serverId: opts.serverId }, 'binlog stream started');
          resolve();
        });
        z.on('binlog', (event: BinlogEvent) => {
          try {
            onEvent(event, z);
          } catch (err) {
            opts.onError(err instanceof Error ? err : new Error(String(err)));
          }
        });
        z.on('error', (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          if (!ready) reject(error);
          else opts.onError(error);
        });
        z.start({
          serverId: opts.serverId,
          filename: from.file,
          position: from.position,
          includeEvents: ['mariadbgtid', 'gtid', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'xid', 'rotate'],
          includeSchema: { [opts.schema]: [...opts.tables] },
        });
      });
    },
    async stop() {
      const z = zongji;
      zongji = undefined;
      if (!z) return;
      await new Promise<void>(resolve => {
        const timer = setTimeout(resolve, 2_000);
        z.once('stopped', () => {
          clearTimeout(timer);
          resolve();
        });
        try {
          z.stop();
        } catch {
          clearTimeout(timer);
          resolve();
        }
      });
    },
    pause() {
      (zongji as unknown as SocketControl | undefined)?.connection?.pause();
    },
    resume() {
      (zongji as unknown as SocketControl | undefined)?.connection?.resume();
    },
  };
}

/** The binlog's current end (where a reader with no checkpoint starts). */
export async function currentBinlogEnd(query: (sql: string) => Promise<readonly Record<string, unknown>[]>): Promise<BinlogPosition> {
  const rows = await query('SHOW MASTER STATUS');
  const row = rows[0];
  const file = row?.File;
  const position = Number(row?.Position);
  if (typeof file !== 'string' || !Number.isSafeInteger(position)) {
    throw new Error('SHOW MASTER STATUS returned no binlog position: is log_bin on for this MariaDB?');
  }
  return { file, position, gtid: '' };
}
