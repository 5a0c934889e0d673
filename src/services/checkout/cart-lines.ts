// The cart as order lines: one line per product, quantities summed, lines of quantity <= 0 dropped.
// Upstream's MultiplySlow charges a quantity-0 line as 1 and its cart accepts any quantity; we order
// exactly what is in the cart, so an empty line is nothing to buy (and never reaches Reserve).
import type { CartItem } from '../../gen/hipstershop/demo';
import { FailedPreconditionError } from '../../platform/errors';

/** The same bounds InventoryService.Reserve enforces; checked here so the buyer learns why. */
export const MAX_ORDER_LINES = 50;
export const MAX_LINE_QUANTITY = 1000;

export class EmptyCartError extends FailedPreconditionError {
  constructor() {
    super('cart is empty');
  }
}

export function cartLines(items: readonly CartItem[]): CartItem[] {
  const quantities = new Map<string, number>();
  for (const { productId, quantity } of items) {
    if (quantity <= 0) continue;
    quantities.set(productId, (quantities.get(productId) ?? 0) + quantity);
  }
  if (quantities.size === 0) throw new EmptyCartError();
  if (quantities.size > MAX_ORDER_LINES) {
    throw new FailedPreconditionError(`cart holds ${quantities.size} products; at most ${MAX_ORDER_LINES} fit in one order`);
  }
  const lines: CartItem[] = [];
  for (const [productId, quantity] of quantities) {
    if (quantity > MAX_LINE_QUANTITY) {
      throw new FailedPreconditionError(`cart item ${productId}: quantity ${quantity} is more than ${MAX_LINE_QUANTITY}`);
    }
    lines.push({ productId, quantity });
  }
  return lines;
}

/** Canonical bytes of a cart for request hashing: lines sorted by product id. */
export function cartFingerprintText(items: readonly CartItem[]): string {
  return [...items]
    .map(i => `${i.productId}\u0000${i.quantity}`)
    .sort()
    .join('\u0001');
}
