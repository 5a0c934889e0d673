// Decoders of the Lua scripts' replies (arrays of strings, code first). Anything unexpected is a
// StockScriptError: a script and this file disagreeing is a bug, never a business outcome.
import { StockScriptError } from './errors';
import { decodeLines, decodeShards } from './line-codec';
import type { LimitExceeded, RecordState, Refusal, SoldOut, StockLine } from './types';

export type ReserveReply =
  | { readonly code: 'RESERVED'; readonly orderEntryId: string | null; readonly stockEntryId: string; readonly after: readonly number[] }
  | {
      readonly code: 'DUPLICATE';
      readonly state: RecordState;
      readonly userId: string;
      readonly all: readonly StockLine[];
      readonly refusal: Refusal | null;
      readonly shards: readonly number[];
    }
  | { readonly code: 'NOT_WARMED'; readonly index: number; readonly sku: string }
  | { readonly code: 'SOLD_OUT'; readonly index: number; readonly sku: string; readonly available: number; readonly raw: string }
  | { readonly code: 'LIMIT_EXCEEDED'; readonly index: number; readonly sku: string; readonly limit: number; readonly held: number; readonly raw: string };

export type ReleaseReply =
  | { readonly code: 'RELEASED'; readonly lines: readonly StockLine[]; readonly stockEntryId: string }
  | { readonly code: 'ALREADY'; readonly state: RecordState }
  | { readonly code: 'PART_PENDING'; readonly shards: readonly number[] }
  | { readonly code: 'NOT_HELD'; readonly state: RecordState }
  | { readonly code: 'UNKNOWN' }
  | { readonly code: 'STALE'; readonly lines: string };

export interface DecideReply {
  readonly decision: 'COMMITTED' | 'ABORTED' | 'UNDECIDED';
  readonly state: RecordState;
  /** The home's refusal when the order was refused there, decoded and raw (to copy onto parts). */
  readonly refusal: Refusal | null;
  readonly rawRefusal: string;
}

export type SettleReply = { readonly code: 'SETTLED' } | { readonly code: 'NOOP'; readonly state: RecordState | null };

export type WarmUpReply =
  | { readonly code: 'WARMED'; readonly previousStock: number | null }
  | { readonly code: 'UNSYNCED'; readonly seq: number; readonly synced: number }
  | { readonly code: 'STALE'; readonly token: string };

const STATES: ReadonlySet<string> = new Set<RecordState>(['HELD', 'RESERVED', 'RELEASED', 'REFUSED', 'ABORTED']);

function strings(script: string, reply: unknown, min: number): string[] {
  if (!Array.isArray(reply) || reply.length < min) throw new StockScriptError(script, reply);
  return reply.map(v => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    if (Buffer.isBuffer(v)) return v.toString('utf8');
    throw new StockScriptError(script, reply);
  });
}

function int(script: string, reply: unknown, text: string | undefined): number {
  const n = Number(text);
  if (text === undefined || text === '' || !Number.isSafeInteger(n)) throw new StockScriptError(script, reply);
  return n;
}

function state(script: string, reply: unknown, text: string | undefined): RecordState {
  if (text === undefined || !STATES.has(text)) throw new StockScriptError(script, reply);
  return text as RecordState;
}

function decoded<T>(script: string, reply: unknown, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (err instanceof StockScriptError) throw err;
    throw new StockScriptError(script, reply);
  }
}

/** The refusal kept on a REFUSED record: the refusing reply joined with '|'. */
export function parseRefusal(text: string): Refusal | null {
  if (text === '') return null;
  const parts = text.split('|');
  const [code, index, sku] = parts;
  const nums = parts.slice(3).map(Number);
  if (!sku || !nums.every(Number.isSafeInteger)) return null;
  if (code === 'SOLD_OUT' && nums.length === 1) {
    return { kind: 'SOLD_OUT', line: Number(index), sku, available: nums[0]!, fastPath: false } satisfies SoldOut;
  }
  if (code === 'LIMIT_EXCEEDED' && nums.length === 2) {
    return { kind: 'LIMIT_EXCEEDED', line: Number(index), sku, limit: nums[0]!, held: nums[1]! } satisfies LimitExceeded;
  }
  return null;
}

export function parseReserveReply(reply: unknown): ReserveReply {
  const s = 'reserve-stock';
  const r = strings(s, reply, 1);
  switch (r[0]) {
    case 'RESERVED':
      if (r.length < 4) throw new StockScriptError(s, reply);
      return { code: 'RESERVED', orderEntryId: r[1] || null, stockEntryId: r[2]!, after: r.slice(3).map(v => int(s, reply, v)) };
    case 'DUPLICATE': {
      if (r.length !== 6) throw new StockScriptError(s, reply);
      const refusal = parseRefusal(r[4]!);
      const st = state(s, reply, r[1]);
      if (st === 'REFUSED' && !refusal) throw new StockScriptError(s, reply);
      return decoded(s, reply, () => ({
        code: 'DUPLICATE' as const,
        state: st,
        userId: r[2]!,
        all: decodeLines(r[3]!),
        refusal,
        shards: decodeShards(r[5]!),
      }));
    }
    case 'NOT_WARMED':
      if (r.length !== 3) throw new StockScriptError(s, reply);
      return { code: 'NOT_WARMED', index: int(s, reply, r[1]), sku: r[2]! };
    case 'SOLD_OUT':
      if (r.length !== 4) throw new StockScriptError(s, reply);
      return { code: 'SOLD_OUT', index: int(s, reply, r[1]), sku: r[2]!, available: int(s, reply, r[3]), raw: r.join('|') };
    case 'LIMIT_EXCEEDED':
      if (r.length !== 5) throw new StockScriptError(s, reply);
      return {
        code: 'LIMIT_EXCEEDED',
        index: int(s, reply, r[1]),
        sku: r[2]!,
        limit: int(s, reply, r[3]),
        held: int(s, reply, r[4]),
        raw: r.join('|'),
      };
    default:
      throw new StockScriptError(s, reply);
  }
}

export function parseReleaseReply(reply: unknown): ReleaseReply {
  const s = 'release-stock';
  const r = strings(s, reply, 1);
  switch (r[0]) {
    case 'RELEASED':
      if (r.length !== 3) throw new StockScriptError(s, reply);
      return decoded(s, reply, () => ({ code: 'RELEASED' as const, lines: decodeLines(r[1]!), stockEntryId: r[2]! }));
    case 'ALREADY':
      return { code: 'ALREADY', state: state(s, reply, r[1]) };
    case 'NOT_HELD':
      return { code: 'NOT_HELD', state: state(s, reply, r[1]) };
    case 'PART_PENDING':
      return decoded(s, reply, () => ({ code: 'PART_PENDING' as const, shards: decodeShards(r[1] ?? '') }));
    case 'UNKNOWN':
      return { code: 'UNKNOWN' };
    case 'STALE':
      return { code: 'STALE', lines: r[1] ?? '' };
    default:
      throw new StockScriptError(s, reply);
  }
}

export function parseDecideReply(reply: unknown): DecideReply {
  const s = 'decide-stock-order';
  const r = strings(s, reply, 3);
  const decision = r[0];
  if (decision !== 'COMMITTED' && decision !== 'ABORTED' && decision !== 'UNDECIDED') throw new StockScriptError(s, reply);
  return { decision, state: state(s, reply, r[1]), refusal: parseRefusal(r[2]!), rawRefusal: r[2]! };
}

export function parseSettleReply(reply: unknown): SettleReply {
  const s = 'settle-stock-part';
  const r = strings(s, reply, 1);
  if (r[0] === 'SETTLED') return { code: 'SETTLED' };
  if (r[0] === 'NOOP') return { code: 'NOOP', state: r[1] ? state(s, reply, r[1]) : null };
  throw new StockScriptError(s, reply);
}

export function parseWarmUpReply(reply: unknown): WarmUpReply {
  const s = 'warm-up-stock';
  const r = strings(s, reply, 2);
  switch (r[0]) {
    case 'WARMED':
      return { code: 'WARMED', previousStock: r[1] === '' ? null : int(s, reply, r[1]) };
    case 'UNSYNCED':
      return { code: 'UNSYNCED', seq: int(s, reply, r[1]), synced: int(s, reply, r[2]) };
    case 'STALE':
      return { code: 'STALE', token: r[1]! };
    default:
      throw new StockScriptError(s, reply);
  }
}
