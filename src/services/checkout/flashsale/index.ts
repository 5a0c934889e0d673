// shop.v1.FlashSaleService (served by the checkout process) and the hooks the order service calls.
export { createFlashSaleHandlers, defaultValidators, type FlashSaleDeps, type ValidatorParts } from './flashsale-handlers';
export { flashSaleRateRules, flashSaleSettings, type FlashSaleRateRules, type FlashSaleSettings } from './settings';
export { createSaleItemRepo } from './sale-item-repo';
export type { SaleItemRecord, SaleItemSource } from './sale-item';
export { createInventoryPort, type InventoryPort } from './inventory-port';
export type { ConvertPrice } from './buy';
export { createFlashSaleOrderHooks, type FlashSaleOrderHooks, type SettledOrder } from './order-hooks';
export type { BuyAttempt, BuyValidator, Refusal } from './validators/validator';
