// Which stock shard holds a SKU. The hash must never change: a SKU's keys live in its shard's slot,
// so every process (and every language a tool is written in) must agree on it.
import type { StockLine } from './types';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over the UTF-8 bytes: tiny, stable, spreads short ids well. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

export function shardOf(sku: string, shards: number): number {
  return fnv1a32(sku) % shards;
}

export interface IndexedLine extends StockLine {
  /** Position of the line in the request, reported back with refusals. */
  readonly index: number;
}

export interface ShardGroup {
  readonly shard: number;
  readonly lines: readonly IndexedLine[];
}

/** Groups lines by shard, shards ascending (the fixed order cross-shard reservations follow). */
export function groupByShard(lines: readonly IndexedLine[], shards: number): ShardGroup[] {
  const byShard = new Map<number, IndexedLine[]>();
  for (const line of lines) {
    const shard = shardOf(line.sku, shards);
    const group = byShard.get(shard);
    if (group) group.push(line);
    else byShard.set(shard, [line]);
  }
  return [...byShard.entries()].sort(([a], [b]) => a - b).map(([shard, group]) => ({ shard, lines: group }));
}
