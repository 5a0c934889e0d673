// The dashboard's reads over gRPC, each a thin call: flash-sale items (FlashSaleService.ListSaleItems on
// checkout), both stock figures per item (InventoryService.GetStock: Redis and MySQL side by side), and the
// dead letters (OrderService.ListDeadLetters / ReplayDeadLetter, with the gateway's admin token).
// Every dependency sits behind its own circuit breaker, like the gateway's buyer clients.
import { OrderServiceClient, type DeadLetter } from '../../../gen/shop/v1/order';
import { FlashSaleServiceClient, SaleState } from '../../../gen/shop/v1/flashsale';
import { InventoryServiceClient } from '../../../gen/shop/v1/inventory';
import type { Breakers } from '../../../platform/breaker';
import type { Config } from '../../../platform/config';
import { createGrpcClient, unary } from '../../../platform/grpc-client';

export interface ItemStock {
  readonly productId: string;
  readonly name: string;
  /** Sale state name without prefix: ACTIVE, UPCOMING, SOLD_OUT, ENDED. */
  readonly state: string;
  readonly warmed: boolean;
  readonly redisStock: number;
  readonly mysqlStock: number;
  /** Stock changes written in Redis, not yet applied to MySQL (negative while sales wait for the write-behind). */
  readonly pendingDelta: number;
}

export interface DeadLetterJson {
  readonly id: string;
  readonly topic: string;
  readonly consumerGroup: string;
  readonly messageKey: string;
  readonly reason: string;
  readonly attempts: number;
  readonly deadAt?: string;
  readonly replayedAt?: string;
}

export interface DeadLetterPage {
  /** Open (not replayed) dead letters in total. */
  readonly pending: number;
  readonly items: readonly DeadLetterJson[];
}

export interface ReplayJson {
  readonly deadLetter: DeadLetterJson | undefined;
  readonly newMessageId: string;
  readonly alreadyReplayed: boolean;
}

export interface DashboardSources {
  itemStock(): Promise<ItemStock[]>;
  deadLetters(pageSize: number): Promise<DeadLetterPage>;
  replayDeadLetter(id: bigint): Promise<ReplayJson>;
  close(): void;
}

export function deadLetterJson(d: DeadLetter): DeadLetterJson {
  return {
    id: d.id.toString(),
    topic: d.topic,
    consumerGroup: d.consumerGroup,
    messageKey: d.messageKey,
    reason: d.reason,
    attempts: d.attempts,
    ...(d.deadAt ? { deadAt: d.deadAt.toISOString() } : {}),
    ...(d.replayedAt ? { replayedAt: d.replayedAt.toISOString() } : {}),
  };
}

export const saleStateName = (s: SaleState): string => (SaleState[s] ?? 'SALE_STATE_UNSPECIFIED').replace(/^SALE_STATE_/, '');

export function createGrpcDashboardSources(config: Readonly<Config>, breakers: Breakers): DashboardSources {
  const deadlineMs = config.rpc.deadlineMs;
  const flash = createGrpcClient(FlashSaleServiceClient, config.addr.checkout);
  const inventory = createGrpcClient(InventoryServiceClient, config.addr.productCatalog);
  const orders = createGrpcClient(OrderServiceClient, config.addr.order);
  const listSaleItems = unary(flash, 'listSaleItems', breakers.unaryOptions('dashboard-checkout', deadlineMs));
  const getStock = unary(inventory, 'getStock', breakers.unaryOptions('dashboard-productcatalog', deadlineMs));
  const listDeadLetters = unary(orders, 'listDeadLetters', breakers.unaryOptions('dashboard-order', deadlineMs));
  const replay = unary(orders, 'replayDeadLetter', breakers.unaryOptions('dashboard-order', deadlineMs));
  // The caller proved it holds ADMIN_TOKEN; the order service checks the same token again.
  const admin = { metadata: { authorization: `Bearer ${config.admin.token}` } };

  return {
    async itemStock() {
      const { items } = await listSaleItems({});
      return Promise.all(
        items.map(async (item): Promise<ItemStock> => {
          const productId = item.product?.id ?? '';
          const stock = await getStock({ productId });
          return {
            productId,
            name: item.product?.name ?? productId,
            state: saleStateName(item.state),
            warmed: stock.warmed,
            redisStock: Number(stock.redisStock),
            mysqlStock: Number(stock.mysqlStock),
            pendingDelta: Number(stock.pendingDelta),
          };
        }),
      );
    },
    async deadLetters(pageSize) {
      const res = await listDeadLetters({ pageSize, pageToken: '', topic: '', includeReplayed: false }, admin);
      return { pending: Number(res.pendingCount), items: res.deadLetters.map(deadLetterJson) };
    },
    async replayDeadLetter(id) {
      const res = await replay({ id }, admin);
      return { deadLetter: res.deadLetter ? deadLetterJson(res.deadLetter) : undefined, newMessageId: res.newMessageId, alreadyReplayed: res.alreadyReplayed };
    },
    close() {
      flash.close();
      inventory.close();
      orders.close();
    },
  };
}
