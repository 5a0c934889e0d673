import type { Money } from '../../platform/money';

/** The parts of hipstershop OrderResult the confirmation reads (structurally compatible with generated types). */
export interface OrderAddress {
  streetAddress: string;
  city: string;
  state: string;
  country: string;
  zipCode: number;
}

export interface OrderLine {
  item?: { productId: string; quantity: number } | undefined;
  /** Unit price in the buyer's currency (upstream: cost is per unit, not × quantity). */
  cost?: Money | undefined;
}

export interface OrderSummary {
  orderId: string;
  shippingTrackingId: string;
  shippingCost?: Money | undefined;
  shippingAddress?: OrderAddress | undefined;
  items: readonly OrderLine[];
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** For logs and metrics; never the address. */
  orderId: string;
}
