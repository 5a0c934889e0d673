// The status codes each public RPC may answer, whatever the input. The fuzz suite fails on any other
// code, so this table is the contract README documents. Every RPC may in addition answer the
// transport codes below when the CALL (not its content) is the problem.
import { status } from '@grpc/grpc-js';

const { OK, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS, RESOURCE_EXHAUSTED, UNAVAILABLE, UNAUTHENTICATED, PERMISSION_DENIED, ABORTED, DEADLINE_EXCEEDED } = status;

/** Admin RPCs: `authorization: Bearer $ADMIN_TOKEN`, else UNAUTHENTICATED (PERMISSION_DENIED when ADMIN_TOKEN is empty). */
const ADMIN = [UNAUTHENTICATED, PERMISSION_DENIED] as const;

/**
 * Per RPC path. UNAVAILABLE = a store (Redis/MySQL), broker or downstream service is down or its breaker is
 * open; DEADLINE_EXCEEDED in a caller's list = a downstream call ran out of time inside the caller's budget.
 */
export const DOCUMENTED_CODES: Readonly<Record<string, readonly status[]>> = {
  '/hipstershop.CartService/AddItem': [OK, INVALID_ARGUMENT, UNAVAILABLE],
  '/hipstershop.CartService/GetCart': [OK, INVALID_ARGUMENT, UNAVAILABLE],
  '/hipstershop.CartService/EmptyCart': [OK, INVALID_ARGUMENT, UNAVAILABLE],
  '/hipstershop.ProductCatalogService/ListProducts': [OK, UNAVAILABLE],
  '/hipstershop.ProductCatalogService/GetProduct': [OK, INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE],
  '/hipstershop.ProductCatalogService/SearchProducts': [OK, INVALID_ARGUMENT, UNAVAILABLE],
  '/hipstershop.ShippingService/GetQuote': [OK, INVALID_ARGUMENT],
  '/hipstershop.ShippingService/ShipOrder': [OK, INVALID_ARGUMENT, UNAVAILABLE],
  '/hipstershop.CurrencyService/GetSupportedCurrencies': [OK],
  '/hipstershop.CurrencyService/Convert': [OK, INVALID_ARGUMENT],
  '/hipstershop.PaymentService/Charge': [OK, INVALID_ARGUMENT, FAILED_PRECONDITION, ALREADY_EXISTS, UNAVAILABLE],
  '/hipstershop.EmailService/SendOrderConfirmation': [OK, INVALID_ARGUMENT],
  '/hipstershop.CheckoutService/PlaceOrder': [
    OK, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS, RESOURCE_EXHAUSTED, ABORTED, UNAVAILABLE, DEADLINE_EXCEEDED,
  ],
  '/shop.v1.InventoryService/WarmUp': [OK, ...ADMIN, INVALID_ARGUMENT, UNAVAILABLE],
  '/shop.v1.InventoryService/Reserve': [OK, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ABORTED, UNAVAILABLE],
  '/shop.v1.InventoryService/Release': [OK, ...ADMIN, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ABORTED, UNAVAILABLE],
  '/shop.v1.InventoryService/GetStock': [OK, INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE],
  '/shop.v1.InventoryService/ConfigureItem': [OK, ...ADMIN, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, UNAVAILABLE],
  '/shop.v1.FlashSaleService/ListSaleItems': [OK, INVALID_ARGUMENT, UNAVAILABLE],
  '/shop.v1.FlashSaleService/GetSaleItem': [OK, INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE],
  '/shop.v1.FlashSaleService/IssueToken': [OK, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, UNAVAILABLE],
  '/shop.v1.FlashSaleService/Buy': [
    OK, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS, RESOURCE_EXHAUSTED, PERMISSION_DENIED, ABORTED, UNAVAILABLE, DEADLINE_EXCEEDED,
  ],
  '/shop.v1.OrderService/GetOrder': [OK, INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE],
  '/shop.v1.OrderService/ListOrders': [OK, INVALID_ARGUMENT, UNAVAILABLE],
  '/shop.v1.OrderService/GetOrderProgress': [OK, INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE],
  '/shop.v1.OrderService/WatchOrder': [OK, INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE],
  '/shop.v1.OrderService/PayOrder': [OK, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ABORTED, UNAVAILABLE, DEADLINE_EXCEEDED],
  '/shop.v1.OrderService/CancelOrder': [OK, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, ABORTED, UNAVAILABLE],
  '/shop.v1.OrderService/ListDeadLetters': [OK, ...ADMIN, INVALID_ARGUMENT, UNAVAILABLE],
  '/shop.v1.OrderService/ReplayDeadLetter': [OK, ...ADMIN, INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, UNAVAILABLE],
  '/shop.v1.LedgerService/Check': [OK, ...ADMIN, INVALID_ARGUMENT, UNAVAILABLE],
  '/shop.v1.LedgerService/GetReconciliation': [OK, ...ADMIN, UNAVAILABLE],
};

/** Services in the protos that this project does not serve (upstream runs them elsewhere). */
export const NOT_SERVED: readonly string[] = ['hipstershop.RecommendationService', 'hipstershop.AdService'];

/** Admin RPCs: every one refuses a call without the bearer token (test/integration/admin-auth-table.test.ts). */
export const ADMIN_RPCS: readonly string[] = Object.entries(DOCUMENTED_CODES)
  .filter(([, codes]) => codes.includes(UNAUTHENTICATED))
  .map(([path]) => path);

/** Codes any RPC may answer because of how it was CALLED, with the detail text the caller sees. */
export const TRANSPORT_CODES = {
  /** Bytes that are not a valid encoding of the request message (grpc-js, same code as grpc-go/java). */
  undecodable: { code: status.INTERNAL, details: 'Error deserializing request' },
  /** A request above the server's 4 MiB receive limit. */
  oversize: { code: status.RESOURCE_EXHAUSTED },
  /** The caller's deadline passed (0, already expired, or too short for the work). */
  deadline: { code: DEADLINE_EXCEEDED },
  /** The caller cancelled. */
  cancelled: { code: status.CANCELLED },
  /** Load shedding (src/platform/load-shedder.ts): the server is over its in-flight / stream / loop-delay limits. */
  overloaded: [
    { code: status.RESOURCE_EXHAUSTED, details: 'server busy; retry with backoff' },
    { code: status.RESOURCE_EXHAUSTED, details: 'too many open streams; retry later' },
    { code: UNAVAILABLE, details: 'server overloaded; retry with backoff' },
  ],
} as const;

/** Codes that mean "your input was refused": such a call must leave no trace in Redis or MySQL. */
export const REFUSAL_CODES: ReadonlySet<status> = new Set([INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, status.OUT_OF_RANGE]);

export function codeName(code: number): string {
  return (status as unknown as Record<number, string>)[code] ?? String(code);
}

/** The README table. */
export function documentedCodesMarkdown(): string {
  const rows = Object.entries(DOCUMENTED_CODES).map(([path, codes]) => `| \`${path.slice(1)}\` | ${codes.map(codeName).join(', ')} |`);
  return ['| RPC | status codes |', '|---|---|', ...rows].join('\n');
}
