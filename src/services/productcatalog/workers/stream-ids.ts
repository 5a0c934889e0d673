// Redis stream entry ids ("<ms>-<seq>") compared and stepped exactly: the sequence part can exceed 2^53.

export interface StreamId {
  readonly ms: bigint;
  readonly seq: bigint;
}

const ID_RE = /^(\d+)-(\d+)$/;

export function parseStreamId(id: string): StreamId {
  const m = ID_RE.exec(id);
  if (!m) throw new SyntaxError(`bad stream id "${id}"`);
  return { ms: BigInt(m[1]!), seq: BigInt(m[2]!) };
}

export function compareStreamIds(a: string, b: string): number {
  const x = parseStreamId(a);
  const y = parseStreamId(b);
  if (x.ms !== y.ms) return x.ms < y.ms ? -1 : 1;
  if (x.seq !== y.seq) return x.seq < y.seq ? -1 : 1;
  return 0;
}

export function minStreamId(ids: readonly string[]): string | undefined {
  let min: string | undefined;
  for (const id of ids) if (min === undefined || compareStreamIds(id, min) < 0) min = id;
  return min;
}

/** The smallest id greater than `id` (XTRIM MINID keeps ids >= its argument). */
export function nextStreamId(id: string): string {
  const { ms, seq } = parseStreamId(id);
  return `${ms}-${seq + 1n}`;
}

/** Milliseconds part: when Redis added the entry (auto-generated ids). */
export function streamIdTime(id: string): number {
  return Number(parseStreamId(id).ms);
}
