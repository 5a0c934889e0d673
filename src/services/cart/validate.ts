import { InvalidArgumentError } from '../../platform/errors';

/** Ids are opaque strings; the cap keeps one bad client from writing megabyte keys. */
export const MAX_ID_LENGTH = 256;
/** CartItem.quantity is int32 on the wire: a merged line must still fit. */
export const MAX_LINE_QUANTITY = 2_147_483_647;

export function checkUserId(userId: string, field = 'user_id'): string {
  if (userId === '') throw new InvalidArgumentError(field, 'is required');
  if (userId.length > MAX_ID_LENGTH) throw new InvalidArgumentError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  return userId;
}

export function checkProductId(productId: string, field = 'item.product_id'): string {
  if (productId === '') throw new InvalidArgumentError(field, 'is required');
  if (productId.length > MAX_ID_LENGTH) throw new InvalidArgumentError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  return productId;
}

export function checkQuantity(quantity: number, field = 'item.quantity'): number {
  if (!Number.isInteger(quantity) || quantity <= 0) throw new InvalidArgumentError(field, 'must be a positive integer');
  if (quantity > MAX_LINE_QUANTITY) throw new InvalidArgumentError(field, `must be at most ${MAX_LINE_QUANTITY}`);
  return quantity;
}
