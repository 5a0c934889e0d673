// InventoryService.Release as the order service needs it: an admin call (bearer token from config),
// idempotent per order id, so re-driving a release after a crash or a timeout is always safe.
import { ReleaseOutcome, type InventoryServiceClient } from '../../../gen/shop/v1/inventory';
import type { ReleaseReason } from '../../../gen/shop/v1/common';
import { unary, type UnaryOptions } from '../../../platform/grpc-client';

export type ReleaseResult = 'released' | 'already-released' | 'unknown-order';

export interface InventoryReleaser {
  release(orderId: string, reason: ReleaseReason, note: string): Promise<ReleaseResult>;
}

export function createInventoryReleaser(client: InventoryServiceClient, adminToken: string, options: UnaryOptions): InventoryReleaser {
  const call = unary(client, 'release', options);
  const metadata = { authorization: `Bearer ${adminToken}` };
  return {
    async release(orderId, reason, note) {
      const res = await call({ orderId, reason, note: note.slice(0, 256) }, { metadata });
      switch (res.outcome) {
        case ReleaseOutcome.RELEASE_OUTCOME_RELEASED:
          return 'released';
        case ReleaseOutcome.RELEASE_OUTCOME_ALREADY_RELEASED:
          return 'already-released';
        case ReleaseOutcome.RELEASE_OUTCOME_UNKNOWN_ORDER:
          return 'unknown-order';
        default:
          throw new Error(`InventoryService.Release answered outcome ${res.outcome}`);
      }
    },
  };
}
