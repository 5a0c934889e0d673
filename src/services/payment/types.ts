import type { Money } from '../../platform/money';

/** The parts of hipstershop CreditCardInfo / ChargeRequest the payment logic reads. */
export interface CreditCard {
  creditCardNumber: string;
  creditCardCvv: number;
  creditCardExpirationYear: number;
  creditCardExpirationMonth: number;
}

export interface ChargeInput {
  amount?: Money | undefined;
  creditCard?: CreditCard | undefined;
}

/** A charge as recorded durably. */
export interface ChargeRecord {
  transactionId: string;
  idempotencyKey: string | null;
  amount: Money;
  cardBrand: string;
  cardLast4: string;
  createdAt: Date;
  refundedAt: Date | null;
}
