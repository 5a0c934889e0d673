// The gateway's gRPC clients: one breaker per upstream (names prefixed "gateway-", so the dashboard
// and the circuit_breaker_state gauge tell them from checkout's), the request's trace context on
// every call, and a call counter (tests prove that refused requests made no gRPC call at all).
import { context, type Context } from '@opentelemetry/api';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { ProductCatalogServiceClient, type Product } from '../../gen/hipstershop/demo';
import {
  FlashSaleServiceClient,
  type BuyRequest,
  type BuyResponse,
  type IssueTokenResponse,
  type SaleItem,
} from '../../gen/shop/v1/flashsale';
import {
  OrderServiceClient,
  type ListDeadLettersRequest,
  type ListDeadLettersResponse,
  type Order,
  type OrderProgress,
  type PayOrderRequest,
  type PayOrderResponse,
  type ReplayDeadLetterResponse,
} from '../../gen/shop/v1/order';
import type { Breakers } from '../../platform/breaker';
import { BreakerOpenError } from '../../platform/breaker';
import { createGrpcClient, outgoingMetadata, unary, type CallOptions } from '../../platform/grpc-client';

export interface GatewayAddresses {
  /** FlashSaleService is served by the checkout process. */
  readonly checkout: string;
  readonly productCatalog: string;
  readonly order: string;
}

export const UPSTREAMS = { checkout: 'gateway-checkout', catalog: 'gateway-productcatalog', order: 'gateway-order' } as const;

/** Per-request call data: the trace to continue and the buyer's address for the services' per-IP limits. */
export interface CallMeta {
  readonly context: Context;
  readonly traceparent: string;
  readonly tracestate?: string;
  /** Sent as x-forwarded-for (checkout trusts it only with CHECKOUT_TRUST_FORWARDED_FOR). */
  readonly clientIp?: string;
  /** Admin calls: the operator's bearer token. */
  readonly authorization?: string;
}

export interface CallCounter {
  /** gRPC calls attempted since start (unary and streams). */
  total(): number;
  byMethod(): Record<string, number>;
}

export interface GatewayClients {
  listProducts(meta: CallMeta): Promise<Product[]>;
  listSaleItems(meta: CallMeta): Promise<SaleItem[]>;
  getSaleItem(productId: string, meta: CallMeta): Promise<SaleItem>;
  issueToken(userId: string, productId: string, meta: CallMeta): Promise<IssueTokenResponse>;
  buy(req: BuyRequest, meta: CallMeta): Promise<BuyResponse>;
  getOrder(orderId: string, userId: string, meta: CallMeta): Promise<Order>;
  getOrderProgress(orderId: string, userId: string, meta: CallMeta): Promise<OrderProgress>;
  payOrder(req: PayOrderRequest, meta: CallMeta): Promise<PayOrderResponse>;
  /** Server stream; the caller must cancel it when done. Throws BreakerOpenError while the order breaker is open. */
  watchOrder(orderId: string, userId: string, meta: CallMeta): ClientReadableStream<OrderProgress>;
  listDeadLetters(req: ListDeadLettersRequest, meta: CallMeta): Promise<ListDeadLettersResponse>;
  replayDeadLetter(id: bigint, meta: CallMeta): Promise<ReplayDeadLetterResponse>;
  readonly calls: CallCounter;
  close(): void;
}

export interface GatewayClientDeps {
  readonly addresses: GatewayAddresses;
  readonly breakers: Pick<Breakers, 'unaryOptions' | 'isOpen'>;
  readonly deadlineMs: number;
}

function callOptions(meta: CallMeta): CallOptions {
  const md: Record<string, string> = { traceparent: meta.traceparent };
  if (meta.tracestate) md.tracestate = meta.tracestate;
  if (meta.clientIp) md['x-forwarded-for'] = meta.clientIp;
  if (meta.authorization) md.authorization = meta.authorization;
  return { metadata: md };
}

export function createGatewayClients({ addresses, breakers, deadlineMs }: GatewayClientDeps): GatewayClients {
  const catalog = createGrpcClient(ProductCatalogServiceClient, addresses.productCatalog);
  const flash = createGrpcClient(FlashSaleServiceClient, addresses.checkout);
  const order = createGrpcClient(OrderServiceClient, addresses.order);
  const opts = (upstream: string) => breakers.unaryOptions(upstream, deadlineMs);
  const counts = new Map<string, number>();
  let total = 0;

  /** Counts, then runs the call inside the request's trace context. */
  function counted<Req, Res>(method: string, fn: (req: Req, o?: CallOptions) => Promise<Res>) {
    return (req: Req, meta: CallMeta): Promise<Res> => {
      total += 1;
      counts.set(method, (counts.get(method) ?? 0) + 1);
      return context.with(meta.context, () => fn(req, callOptions(meta)));
    };
  }

  const rpc = {
    listProducts: counted('ListProducts', unary(catalog, 'listProducts', opts(UPSTREAMS.catalog))),
    listSaleItems: counted('ListSaleItems', unary(flash, 'listSaleItems', opts(UPSTREAMS.checkout))),
    getSaleItem: counted('GetSaleItem', unary(flash, 'getSaleItem', opts(UPSTREAMS.checkout))),
    issueToken: counted('IssueToken', unary(flash, 'issueToken', opts(UPSTREAMS.checkout))),
    buy: counted('Buy', unary(flash, 'buy', opts(UPSTREAMS.checkout))),
    getOrder: counted('GetOrder', unary(order, 'getOrder', opts(UPSTREAMS.order))),
    getOrderProgress: counted('GetOrderProgress', unary(order, 'getOrderProgress', opts(UPSTREAMS.order))),
    payOrder: counted('PayOrder', unary(order, 'payOrder', opts(UPSTREAMS.order))),
    listDeadLetters: counted('ListDeadLetters', unary(order, 'listDeadLetters', opts(UPSTREAMS.order))),
    replayDeadLetter: counted('ReplayDeadLetter', unary(order, 'replayDeadLetter', opts(UPSTREAMS.order))),
  };

  return {
    listProducts: async meta => (await rpc.listProducts({}, meta)).products,
    listSaleItems: async meta => (await rpc.listSaleItems({}, meta)).items,
    getSaleItem: (productId, meta) => rpc.getSaleItem({ productId }, meta),
    issueToken: (userId, productId, meta) => rpc.issueToken({ userId, productId }, meta),
    buy: (req, meta) => rpc.buy(req, meta),
    getOrder: (orderId, userId, meta) => rpc.getOrder({ orderId, userId }, meta),
    getOrderProgress: (orderId, userId, meta) => rpc.getOrderProgress({ orderId, userId }, meta),
    payOrder: (req, meta) => rpc.payOrder(req, meta),
    listDeadLetters: (req, meta) => rpc.listDeadLetters(req, meta),
    replayDeadLetter: (id, meta) => rpc.replayDeadLetter({ id }, meta),
    watchOrder(orderId, userId, meta) {
      // Streams bypass the breaker's accounting, but an open order breaker still refuses them up front.
      if (breakers.isOpen(UPSTREAMS.order)) throw new BreakerOpenError(UPSTREAMS.order);
      total += 1;
      counts.set('WatchOrder', (counts.get('WatchOrder') ?? 0) + 1);
      return context.with(meta.context, () => order.watchOrder({ orderId, userId }, outgoingMetadata(callOptions(meta).metadata)));
    },
    calls: {
      total: () => total,
      byMethod: () => Object.fromEntries(counts),
    },
    close() {
      for (const c of [catalog, flash, order]) c.close();
    },
  };
}
