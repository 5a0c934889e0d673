// The CDC reader's checkpoint (drizzle). Migrations: `npx drizzle-kit generate --name <change>`.
import { sql } from 'drizzle-orm';
import { bigint, datetime, mysqlTable, varchar } from 'drizzle-orm/mysql-core';

/**
 * Where the binlog reader resumes: the end of the last transaction whose change events were all sent.
 * One row per database read (`reader` = schema name); reader replicas share it (each position in it was
 * sent by one of them, and consumers drop what arrives twice).
 */
export const cdcPositions = mysqlTable('cdc_positions', {
  reader: varchar('reader', { length: 96 }).primaryKey(),
  binlogFile: varchar('binlog_file', { length: 255 }).notNull(),
  binlogPosition: bigint('binlog_position', { mode: 'number', unsigned: true }).notNull(),
  /** GTID of that transaction (informational: resume uses file + position). */
  gtid: varchar('gtid', { length: 255 }).notNull().default(''),
  updatedAt: datetime('updated_at', { fsp: 3 })
    .notNull()
    .default(sql`CURRENT_TIMESTAMP(3)`),
});
