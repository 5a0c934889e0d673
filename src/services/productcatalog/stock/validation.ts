// Pure checks run before any Redis call, so a bad request changes nothing. Field names follow the
// proto (snake_case) because the gRPC boundary sends them to callers as is.
import { InvalidStockRequestError } from './errors';
import type { IndexedLine } from './shard-router';
import type { ReserveRequest } from './types';

/** SKUs are key parts and are encoded with ',' ':' '|' separators, so those (and braces) are excluded. */
export const SKU_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Printable ASCII without spaces: order and user ids end up in keys, hash fields and log lines. */
export const ID_RE = /^[\x21-\x7e]{1,128}$/;
export const REASON_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

export interface RequestLimits {
  /** Lines per order. */
  readonly maxLines: number;
  /** Quantity per line. */
  readonly maxQty: number;
  readonly maxPayloadBytes: number;
}

export const DEFAULT_REQUEST_LIMITS: RequestLimits = { maxLines: 50, maxQty: 1000, maxPayloadBytes: 64 * 1024 };

const MAX_TRACE_ENTRIES = 16;
const MAX_TRACE_TEXT = 512;

const fail = (field: string, problem: string): never => {
  throw new InvalidStockRequestError(field, problem);
};

export function checkId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') return fail(field, 'must not be empty');
  if (!ID_RE.test(value)) return fail(field, 'must be 1-128 printable ASCII characters without spaces');
  return value;
}

export function checkSku(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') return fail(field, 'must not be empty');
  if (!SKU_RE.test(value)) return fail(field, 'must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit');
  return value;
}

export function checkReason(value: unknown): string {
  if (typeof value !== 'string' || !REASON_RE.test(value)) return fail('reason', 'must be 1-64 letters, digits, "_", ".", ":" or "-"');
  return value;
}

export function checkSkuList(field: string, skus: unknown, max: number): string[] {
  if (!Array.isArray(skus) || skus.length === 0) return fail(field, 'must name at least one product');
  if (skus.length > max) return fail(field, `must name at most ${max} products`);
  const seen = new Set<string>();
  return skus.map((sku: unknown, i) => {
    const checked = checkSku(`${field}[${i}]`, sku);
    if (seen.has(checked)) fail(`${field}[${i}]`, `repeats product ${checked}`);
    seen.add(checked);
    return checked;
  });
}

export interface ValidReserve {
  readonly orderId: string;
  readonly userId: string;
  readonly lines: readonly IndexedLine[];
  readonly orderPayload: string;
  readonly traceContext: Readonly<Record<string, string>> | undefined;
}

/**
 * Duplicate SKUs are refused rather than merged: the upstream cart already merges quantities per
 * product, so a repeat is a caller bug, and refusals keep naming the caller's own line index.
 */
export function validateReserve(req: ReserveRequest, limits: RequestLimits): ValidReserve {
  const orderId = checkId('order_id', req.orderId);
  const userId = checkId('user_id', req.userId);
  if (!Array.isArray(req.lines) || req.lines.length === 0) return fail('lines', 'must hold at least one line');
  if (req.lines.length > limits.maxLines) return fail('lines', `must hold at most ${limits.maxLines} lines`);
  const seen = new Map<string, number>();
  const lines = req.lines.map((line, index): IndexedLine => {
    const sku = checkSku(`lines[${index}].product_id`, line?.sku);
    const first = seen.get(sku);
    if (first !== undefined) fail(`lines[${index}].product_id`, `repeats lines[${first}]`);
    seen.set(sku, index);
    const qty = line.qty;
    if (typeof qty !== 'number' || !Number.isInteger(qty) || qty < 1 || qty > limits.maxQty) {
      fail(`lines[${index}].quantity`, `must be an integer 1-${limits.maxQty}`);
    }
    return { sku, qty, index };
  });
  if (typeof req.orderPayload !== 'string' || req.orderPayload === '') return fail('order_payload', 'must not be empty');
  if (Buffer.byteLength(req.orderPayload, 'utf8') > limits.maxPayloadBytes) {
    return fail('order_payload', `must be at most ${limits.maxPayloadBytes} bytes`);
  }
  return { orderId, userId, lines, orderPayload: req.orderPayload, traceContext: checkTrace(req.traceContext) };
}

function checkTrace(trace: unknown): Readonly<Record<string, string>> | undefined {
  if (trace === undefined) return undefined;
  if (trace === null || typeof trace !== 'object' || Array.isArray(trace)) return fail('trace_context', 'must be a map of strings');
  const entries = Object.entries(trace);
  if (entries.length > MAX_TRACE_ENTRIES) return fail('trace_context', `must hold at most ${MAX_TRACE_ENTRIES} entries`);
  for (const [k, v] of entries) {
    if (typeof v !== 'string' || k.length > MAX_TRACE_TEXT || v.length > MAX_TRACE_TEXT) {
      fail('trace_context', `entries must be strings of at most ${MAX_TRACE_TEXT} characters`);
    }
  }
  return trace as Readonly<Record<string, string>>;
}

export interface ValidFigure {
  readonly stock: number;
  readonly limit: number;
}

/** Figures come from MySQL, but a bad one must not reach Redis either. */
export function checkFigure(sku: string, stock: unknown, limit: unknown): ValidFigure {
  if (typeof stock !== 'number' || !Number.isSafeInteger(stock) || stock < 0 || stock > 1e12) {
    return fail(`stock[${sku}]`, 'must be an integer 0-1e12');
  }
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0 || limit > 1e9) {
    return fail(`limit[${sku}]`, 'must be an integer 0-1e9');
  }
  return { stock, limit };
}
