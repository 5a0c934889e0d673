// Binlog row images → RowChanged's text maps. Every value becomes text so the event is schema-free on the
// wire; consumers parse the columns they need. NULL columns are left out (the proto says "absent").
export type RowImage = Readonly<Record<string, unknown>>;

export function valueToText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function imageToText(row: RowImage | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!row) return out;
  for (const [column, value] of Object.entries(row)) {
    const text = valueToText(value);
    if (text !== undefined) out[column] = text;
  }
  return out;
}

/** A whole, non-negative integer column as a bigint (e.g. products.stock); undefined when absent or not one. */
export function integerColumn(row: Readonly<Record<string, string>>, column: string): bigint | undefined {
  const text = row[column];
  return text !== undefined && /^-?\d+$/.test(text) ? BigInt(text) : undefined;
}

/** A DATETIME(3) column (UTC text "YYYY-MM-DD HH:MM:SS[.fff]", or ISO) as epoch ms. */
export function datetimeColumn(row: Readonly<Record<string, string>>, column: string): number | undefined {
  const text = row[column];
  if (!text) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}
