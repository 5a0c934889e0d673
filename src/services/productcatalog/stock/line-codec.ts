// Compact text encodings shared with the Lua scripts. SKUs never contain ',' ':' or '|'
// (validation.ts SKU_RE), which keeps these unambiguous and cheap to parse in Lua.
import type { StockLine } from './types';

/** "sku:qty,sku:qty" — the lines of a reservation record. */
export function encodeLines(lines: readonly StockLine[]): string {
  return lines.map(l => `${l.sku}:${l.qty}`).join(',');
}

export function decodeLines(text: string): StockLine[] {
  if (text === '') return [];
  return text.split(',').map(part => {
    const [sku, qty, extra] = part.split(':');
    const n = Number(qty);
    if (!sku || extra !== undefined || !Number.isSafeInteger(n)) throw new SyntaxError(`bad stock line "${part}"`);
    return { sku, qty: n };
  });
}

export interface StockDelta {
  readonly sku: string;
  /** Negative when stock was taken, positive when given back. */
  readonly delta: number;
  /** Redis stock of the item right after the change. */
  readonly after: number;
}

/** "sku:delta:after,..." — the lines of a stock-change record. */
export function decodeDeltas(text: string): StockDelta[] {
  if (text === '') return [];
  return text.split(',').map(part => {
    const [sku, delta, after, extra] = part.split(':');
    const d = Number(delta);
    const a = Number(after);
    if (!sku || extra !== undefined || !Number.isSafeInteger(d) || d === 0 || !Number.isSafeInteger(a)) {
      throw new SyntaxError(`bad stock delta "${part}"`);
    }
    return { sku, delta: d, after: a };
  });
}

export function encodeShards(shards: readonly number[]): string {
  return shards.join(',');
}

export function decodeShards(text: string): number[] {
  if (text === '') return [];
  return text.split(',').map(s => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new SyntaxError(`bad shard list "${text}"`);
    return n;
  });
}

/** Trace context travels as JSON; '' when there is none. */
export function encodeTrace(trace: Readonly<Record<string, string>> | undefined): string {
  return trace && Object.keys(trace).length > 0 ? JSON.stringify(trace) : '';
}

export function decodeTrace(text: string): Record<string, string> {
  if (text === '') return {};
  const parsed: unknown = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SyntaxError('trace context is not an object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v;
  return out;
}
