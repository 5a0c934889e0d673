import { CurrencyMismatchError, type Money, formatMoney, multiply, sum } from '../../platform/money';
import { escapeHtml } from './html-escape';
import type { EmailMessage, OrderAddress, OrderSummary } from './types';

interface Line {
  productId: string;
  quantity: number;
  unit: Money | undefined;
  lineTotal: Money | undefined;
}

/** Plain-text and HTML order confirmation; every user-supplied string is escaped in the HTML part. */
export function renderOrderConfirmation(to: string, order: OrderSummary): EmailMessage {
  const lines: Line[] = order.items.map((l) => {
    const quantity = l.item?.quantity ?? 0;
    return { productId: l.item?.productId ?? '', quantity, unit: l.cost, lineTotal: l.cost && multiply(l.cost, quantity) };
  });
  const total = orderTotal(order.shippingCost, lines);
  const subject = `Your order ${order.orderId} is confirmed`;
  const tracking = order.shippingTrackingId === '' ? 'pending' : order.shippingTrackingId;
  const money = (m: Money | undefined): string => (m === undefined ? '-' : formatMoney(m));

  const text = [
    'Thank you for your order!',
    '',
    `Order: ${order.orderId}`,
    `Tracking: ${tracking}`,
    '',
    ...lines.map((l) => `  ${l.quantity} × ${l.productId} @ ${money(l.unit)} = ${money(l.lineTotal)}`),
    `Shipping: ${money(order.shippingCost)}`,
    ...(total === undefined ? [] : [`Total: ${formatMoney(total)}`]),
    '',
    'Ships to:',
    ...addressLines(order.shippingAddress).map((s) => `  ${s}`),
    '',
  ].join('\n');

  const h = escapeHtml;
  const html = [
    '<!DOCTYPE html>',
    `<html><head><meta charset="utf-8"><title>${h(subject)}</title></head><body>`,
    '<h1>Thank you for your order!</h1>',
    `<p>Order <strong>${h(order.orderId)}</strong><br>Tracking: ${h(tracking)}</p>`,
    '<table><thead><tr><th>Item</th><th>Qty</th><th>Unit</th><th>Line</th></tr></thead><tbody>',
    ...lines.map((l) => `<tr><td>${h(l.productId)}</td><td>${l.quantity}</td><td>${h(money(l.unit))}</td><td>${h(money(l.lineTotal))}</td></tr>`),
    '</tbody></table>',
    `<p>Shipping: ${h(money(order.shippingCost))}</p>`,
    ...(total === undefined ? [] : [`<p><strong>Total: ${h(formatMoney(total))}</strong></p>`]),
    `<p>Ships to:<br>${addressLines(order.shippingAddress).map(h).join('<br>')}</p>`,
    '</body></html>',
    '',
  ].join('\n');

  return { to, subject, text, html, orderId: order.orderId };
}

/** Shipping + Σ unit × quantity, like upstream's frontend; undefined when parts are missing or mix currencies. */
function orderTotal(shipping: Money | undefined, lines: readonly Line[]): Money | undefined {
  if (shipping === undefined || lines.some((l) => l.lineTotal === undefined)) return undefined;
  try {
    return lines.reduce((acc, l) => sum(acc, l.lineTotal as Money), shipping);
  } catch (err) {
    if (err instanceof CurrencyMismatchError) return undefined;
    throw err;
  }
}

function addressLines(a: OrderAddress | undefined): string[] {
  if (a === undefined) return ['(no address)'];
  return [a.streetAddress, [a.city, a.state].filter((s) => s !== '').join(', '), `${a.zipCode} ${a.country}`.trim()];
}
