// Pure shape checks of FlashSaleService requests, run before anything else so a malformed request
// changes nothing (no token taken, no rate-limit hit). Failures name the proto field.
import type { Address } from '../../../gen/hipstershop/demo';
import type { BuyRequest, IssueTokenRequest } from '../../../gen/shop/v1/flashsale';
import { InvalidArgumentError } from '../../../platform/errors';
import { MAX_ID_LENGTH } from '../../productcatalog/inventory/reserve-request';
import { SKU_RE } from '../../productcatalog/stock/validation';

/** Reserve refuses more per line; a flash-sale limit is far below it anyway. */
export const MAX_QUANTITY = 1000;
export const MAX_TOKEN_LENGTH = 128;
const PRINTABLE_RE = /^[\x21-\x7e]+$/;
const CURRENCY_RE = /^[A-Z]{3}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface CheckedBuy {
  readonly userId: string;
  readonly productId: string;
  readonly quantity: number;
  /** '' when the caller sent none (a refusal, not a malformed request: INVALID_TOKEN). */
  readonly token: string;
  readonly currency: string;
  readonly email: string;
  readonly address: Address;
}

const fail = (field: string, problem: string): never => {
  throw new InvalidArgumentError(field, problem);
};

/** Same rules as InventoryService.Reserve's user id: it ends up in keys and a VARCHAR(64). */
export function checkUserId(value: string, field = 'user_id'): string {
  if (value === '') return fail(field, 'must not be empty');
  if (value.length > MAX_ID_LENGTH) return fail(field, `must be at most ${MAX_ID_LENGTH} characters`);
  if (!PRINTABLE_RE.test(value)) return fail(field, 'must be printable ASCII without spaces');
  return value;
}

export function checkProductId(value: string, field = 'product_id'): string {
  if (value === '') return fail(field, 'must not be empty');
  if (!SKU_RE.test(value)) return fail(field, 'must be 1-64 letters, digits, "_", "." or "-"');
  return value;
}

function checkText(field: string, value: string, max: number, required: boolean): string {
  if (required && value.trim() === '') return fail(field, 'must not be empty');
  if (value.length > max) return fail(field, `must be at most ${max} characters`);
  return value;
}

function checkAddress(address: Address | undefined): Address {
  if (!address) return fail('shipping_address', 'must be set');
  checkText('shipping_address.street_address', address.streetAddress, 512, true);
  checkText('shipping_address.city', address.city, 128, true);
  checkText('shipping_address.state', address.state, 128, false);
  checkText('shipping_address.country', address.country, 128, true);
  if (!Number.isInteger(address.zipCode) || address.zipCode < 0) fail('shipping_address.zip_code', 'must not be negative');
  return address;
}

export function checkIssueToken(req: IssueTokenRequest): { userId: string; productId: string } {
  return { userId: checkUserId(req.userId), productId: checkProductId(req.productId) };
}

export function checkBuy(req: BuyRequest): CheckedBuy {
  const userId = checkUserId(req.userId);
  const productId = checkProductId(req.productId);
  if (!Number.isInteger(req.quantity) || req.quantity < 1 || req.quantity > MAX_QUANTITY) {
    fail('quantity', `must be 1-${MAX_QUANTITY}, got ${req.quantity}`);
  }
  if (req.token.length > MAX_TOKEN_LENGTH) fail('token', `must be at most ${MAX_TOKEN_LENGTH} characters`);
  const currency = req.userCurrency === '' ? 'USD' : req.userCurrency;
  if (!CURRENCY_RE.test(currency)) fail('user_currency', 'must be an ISO 4217 code like "USD", or empty for USD');
  if (req.email === '') fail('email', 'must not be empty');
  if (req.email.length > 320 || !EMAIL_RE.test(req.email)) fail('email', 'must be an email address');
  const address = checkAddress(req.shippingAddress);
  return { userId, productId, quantity: req.quantity, token: req.token, currency, email: req.email, address };
}
