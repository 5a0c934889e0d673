// A flash-sale item as admission sees it: the catalog entry, its exact price and its sale settings.
import type { Money } from '../../../platform/money';

export interface SaleItemRecord {
  readonly productId: string;
  readonly name: string;
  readonly description: string;
  readonly picture: string;
  readonly price: Readonly<Money>;
  readonly categories: readonly string[];
  /** Max units one user may hold; 0 = no limit. */
  readonly perUserLimit: number;
  /** null = open from forever. */
  readonly saleStartsAt: Date | null;
  /** null = open until forever (products has no end column yet). */
  readonly saleEndsAt: Date | null;
}

/** Where sale items come from (MySQL products in production). */
export interface SaleItemSource {
  /** Every product with flash_sale set, by id. */
  listSaleItems(): Promise<SaleItemRecord[]>;
}
