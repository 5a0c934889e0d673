/** The parts of hipstershop messages the shipping logic reads (structurally compatible with generated types). */
export interface ShippingItem {
  productId: string;
  quantity: number;
}

export interface ShippingAddress {
  streetAddress: string;
  city: string;
  state: string;
  country: string;
  zipCode: number;
}
