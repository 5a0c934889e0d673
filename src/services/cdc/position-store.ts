// The reader's checkpoint in MySQL (cdc_positions): read once at start, written after sends.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db';
import type { BinlogPosition } from './binlog-source';
import { cdcPositions } from './schema';

export interface PositionStore {
  load(): Promise<BinlogPosition | undefined>;
  save(position: BinlogPosition): Promise<void>;
}

export function createPositionStore(db: Db, reader: string): PositionStore {
  return {
    async load() {
      const rows = await db.select().from(cdcPositions).where(eq(cdcPositions.reader, reader)).limit(1);
      const row = rows[0];
      return row ? { file: row.binlogFile, position: row.binlogPosition, gtid: row.gtid } : undefined;
    },
    async save(p) {
      await db
        .insert(cdcPositions)
        .values({ reader, binlogFile: p.file, binlogPosition: p.position, gtid: p.gtid.slice(0, 255) })
        .onDuplicateKeyUpdate({
          set: {
            binlogFile: p.file,
            binlogPosition: p.position,
            gtid: p.gtid.slice(0, 255),
            updatedAt: sql`CURRENT_TIMESTAMP(3)`,
          },
        });
    },
  };
}
