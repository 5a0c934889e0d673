// Column helpers shared by the schema.
import { customType } from 'drizzle-orm/mysql-core';

/**
 * A JSON column that (de)serialises itself. MariaDB's JSON is LONGTEXT, so mysql2 returns a string there
 * while MySQL returns parsed objects; the pool sets `jsonStrings: true` so both give strings and this
 * column parses them — the same behaviour on both servers.
 */
export const jsonColumn = <T>(name: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'json',
    toDriver: value => JSON.stringify(value),
    fromDriver: value => JSON.parse(value) as T,
  })(name);
