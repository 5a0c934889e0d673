// Decoders of the stream entries the scripts write, for the write-behind worker and the forwarder.
// Stock stream entry fields:  order, reason (RESERVE | ABORT | the release reason), user,
//                             lines "sku:delta:after,...", ts (ms), trace (JSON or '').
// Orders stream entry fields: order, user, lines "sku:qty,...", shards "3,7", ts, payload, trace.
// Apply deltas by their sign, never by the reason: a stock-change entry is one atomic change.
import { MalformedStockEntryError } from './errors';
import { decodeDeltas, decodeLines, decodeShards, decodeTrace, type StockDelta } from './line-codec';
import type { StockLine } from './types';

export interface StockChangeRecord {
  readonly id: string;
  readonly orderId: string;
  readonly reason: string;
  readonly userId: string;
  readonly lines: readonly StockDelta[];
  readonly ts: number;
  readonly trace: Readonly<Record<string, string>>;
}

export interface OrderCreatedRecord {
  readonly id: string;
  readonly orderId: string;
  readonly userId: string;
  readonly lines: readonly StockLine[];
  readonly shards: readonly number[];
  readonly ts: number;
  /** The order payload the checkout built, untouched. */
  readonly payload: string;
  readonly trace: Readonly<Record<string, string>>;
}

/** XREADGROUP/XRANGE give fields as a flat [k1, v1, k2, v2, ...] list. */
function fieldMap(id: string, fields: readonly string[]): Map<string, string> {
  if (fields.length % 2 !== 0) throw new MalformedStockEntryError(id, 'odd number of field items');
  const map = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  return map;
}

function decode<T>(id: string, fields: readonly string[], build: (get: (name: string) => string) => T): T {
  const map = fieldMap(id, fields);
  const get = (name: string) => {
    const v = map.get(name);
    if (v === undefined) throw new MalformedStockEntryError(id, `missing field ${name}`);
    return v;
  };
  try {
    return build(get);
  } catch (err) {
    if (err instanceof MalformedStockEntryError) throw err;
    throw new MalformedStockEntryError(id, err instanceof Error ? err.message : String(err));
  }
}

function timestamp(text: string): number {
  const ts = Number(text);
  if (!Number.isSafeInteger(ts) || ts < 0) throw new SyntaxError(`bad ts "${text}"`);
  return ts;
}

export function parseStockChange(id: string, fields: readonly string[]): StockChangeRecord {
  return decode(id, fields, get => {
    const lines = decodeDeltas(get('lines'));
    if (lines.length === 0) throw new SyntaxError('no lines');
    return {
      id,
      orderId: get('order'),
      reason: get('reason'),
      userId: get('user'),
      lines,
      ts: timestamp(get('ts')),
      trace: decodeTrace(get('trace')),
    };
  });
}

export function parseOrderCreated(id: string, fields: readonly string[]): OrderCreatedRecord {
  return decode(id, fields, get => {
    const lines = decodeLines(get('lines'));
    if (lines.length === 0) throw new SyntaxError('no lines');
    return {
      id,
      orderId: get('order'),
      userId: get('user'),
      lines,
      shards: decodeShards(get('shards')),
      ts: timestamp(get('ts')),
      payload: get('payload'),
      trace: decodeTrace(get('trace')),
    };
  });
}
