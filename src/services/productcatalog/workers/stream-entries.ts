// The entry shapes ioredis returns for XREADGROUP / XAUTOCLAIM / XRANGE (identical under RESP2 and RESP3
// with ioredis 6's legacy reply mapping), narrowed from `unknown` so a surprise fails loudly.

export interface StreamEntry {
  readonly id: string;
  /** Flat [k1, v1, k2, v2, ...] as stored. */
  readonly fields: readonly string[];
}

const text = (v: unknown): string => {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number') return String(v);
  throw new TypeError(`unexpected stream reply item ${JSON.stringify(v)}`);
};

/** [[id, [k, v, ...]], ...]; an entry deleted while pending may come back with null fields: skipped. */
export function toEntries(list: unknown): StreamEntry[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw new TypeError('stream entries: expected an array');
  const out: StreamEntry[] = [];
  for (const item of list) {
    if (!Array.isArray(item) || item.length !== 2) throw new TypeError('stream entry: expected [id, fields]');
    const [id, fields] = item as [unknown, unknown];
    if (fields === null) continue;
    if (!Array.isArray(fields)) throw new TypeError('stream entry fields: expected an array');
    out.push({ id: text(id), fields: fields.map(text) });
  }
  return out;
}

/** XREADGROUP on one stream: [[stream, entries]] or null on timeout. */
export function readGroupEntries(reply: unknown): StreamEntry[] {
  if (reply === null || reply === undefined) return [];
  if (!Array.isArray(reply)) throw new TypeError('XREADGROUP: expected an array');
  return reply.flatMap(stream => {
    if (!Array.isArray(stream) || stream.length !== 2) throw new TypeError('XREADGROUP: expected [stream, entries]');
    return toEntries(stream[1]);
  });
}

export interface AutoClaimReply {
  readonly cursor: string;
  readonly entries: StreamEntry[];
  /** Ids that were pending but no longer exist in the stream (Redis 7 drops them from the PEL itself). */
  readonly deleted: string[];
}

export function autoClaimReply(reply: unknown): AutoClaimReply {
  if (!Array.isArray(reply) || reply.length < 2) throw new TypeError('XAUTOCLAIM: expected [cursor, entries, deleted?]');
  const deleted = Array.isArray(reply[2]) ? (reply[2] as unknown[]).map(text) : [];
  return { cursor: text(reply[0]), entries: toEntries(reply[1]), deleted };
}

/** XINFO GROUPS: one flat [k, v, ...] list per group. */
export interface GroupInfo {
  readonly name: string;
  readonly pending: number;
  readonly lastDeliveredId: string;
}

export function groupInfos(reply: unknown): GroupInfo[] {
  if (!Array.isArray(reply)) throw new TypeError('XINFO GROUPS: expected an array');
  return reply.map(group => {
    if (!Array.isArray(group)) throw new TypeError('XINFO GROUPS: expected a list per group');
    const map = new Map<string, unknown>();
    for (let i = 0; i + 1 < group.length; i += 2) map.set(text(group[i]), group[i + 1]);
    const name = map.get('name');
    const last = map.get('last-delivered-id');
    if (name === undefined || last === undefined) throw new TypeError('XINFO GROUPS: missing name or last-delivered-id');
    return { name: text(name), pending: Number(map.get('pending') ?? 0), lastDeliveredId: text(last) };
  });
}

/** XPENDING summary form: [count, smallest id, greatest id, consumers]. */
export function pendingSummary(reply: unknown): { count: number; minId: string | null } {
  if (!Array.isArray(reply) || reply.length < 2) throw new TypeError('XPENDING: expected a summary');
  const count = Number(reply[0]);
  return { count, minId: count > 0 && reply[1] !== null ? text(reply[1]) : null };
}

/** XINFO CONSUMERS: name, pending, idle per consumer. */
export interface ConsumerInfo {
  readonly name: string;
  readonly pending: number;
  readonly idleMs: number;
}

export function consumerInfos(reply: unknown): ConsumerInfo[] {
  if (!Array.isArray(reply)) throw new TypeError('XINFO CONSUMERS: expected an array');
  return reply.map(c => {
    if (!Array.isArray(c)) throw new TypeError('XINFO CONSUMERS: expected a list per consumer');
    const map = new Map<string, unknown>();
    for (let i = 0; i + 1 < c.length; i += 2) map.set(text(c[i]), c[i + 1]);
    return { name: text(map.get('name')), pending: Number(map.get('pending') ?? 0), idleMs: Number(map.get('idle') ?? 0) };
  });
}
