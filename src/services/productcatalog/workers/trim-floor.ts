// Where a stream may be trimmed: below the first entry some group still needs. For each group that is
// its oldest pending entry (delivered, not acked) or else the entry after its last-delivered id; the
// floor is the minimum over ALL groups, so a slow or stopped group keeps everything it has not acked.
// Read XINFO GROUPS before XPENDING: between the two, groups only move forward, so the floor computed
// from the older last-delivered id is never above the true one.
import { compareStreamIds, nextStreamId } from './stream-ids';

export interface GroupPosition {
  readonly name: string;
  readonly lastDeliveredId: string;
  /** Oldest pending id, null when nothing is pending. */
  readonly minPendingId: string | null;
}

/** XTRIM MINID argument (entries with smaller ids go), or null when nothing may be trimmed. */
export function trimFloor(groups: readonly GroupPosition[], required: readonly string[]): string | null {
  if (groups.length === 0) return null;
  const names = new Set(groups.map(g => g.name));
  if (required.some(r => !names.has(r))) return null;
  let floor: string | null = null;
  for (const g of groups) {
    const own = g.minPendingId ?? nextStreamId(g.lastDeliveredId);
    if (floor === null || compareStreamIds(own, floor) < 0) floor = own;
  }
  return floor === '0-1' ? null : floor;
}
