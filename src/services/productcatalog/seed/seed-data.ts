// The catalog `make seed` loads: Online Boutique's nine products (ids, names, descriptions, pictures,
// prices and categories as in upstream src/productcatalogservice/products.json) with a normal stock,
// plus flash-sale items with a per-user limit.
import type { CatalogProduct } from '../catalog/types';

export interface SeedItem {
  readonly product: CatalogProduct;
  /** Stock a new row starts with (an existing row keeps its live stock unless the seed resets). */
  readonly stock: number;
  /** Max units one user may buy; 0 = no limit. */
  readonly perUserLimit: number;
  readonly flashSale: boolean;
}

export const NORMAL_STOCK = 1000;
export const FLASH_STOCK = 1000;
export const FLASH_PER_USER_LIMIT = 2;

const usd = (units: bigint, nanos: number) => ({ currencyCode: 'USD', units, nanos });

const product = (
  id: string,
  name: string,
  description: string,
  picture: string,
  price: ReturnType<typeof usd>,
  categories: string[],
): CatalogProduct => ({ id, name, description, picture, price, categories });

/** Upstream's catalog, in upstream's order. */
export const UPSTREAM_PRODUCTS: readonly CatalogProduct[] = [
  product('OLJCESPC7Z', 'Sunglasses', 'Add a modern touch to your outfits with these sleek aviator sunglasses.',
    '/static/img/products/sunglasses.jpg', usd(19n, 990_000_000), ['accessories']),
  product('66VCHSJNUP', 'Tank Top', 'Perfectly cropped cotton tank, with a scooped neckline.',
    '/static/img/products/tank-top.jpg', usd(18n, 990_000_000), ['clothing', 'tops']),
  product('1YMWWN1N4O', 'Watch', 'This gold-tone stainless steel watch will work with most of your outfits.',
    '/static/img/products/watch.jpg', usd(109n, 990_000_000), ['accessories']),
  product('L9ECAV7KIM', 'Loafers', 'A neat addition to your summer wardrobe.',
    '/static/img/products/loafers.jpg', usd(89n, 990_000_000), ['footwear']),
  product('2ZYFJ3GM2N', 'Hairdryer', "This lightweight hairdryer has 3 heat and speed settings. It's perfect for travel.",
    '/static/img/products/hairdryer.jpg', usd(24n, 990_000_000), ['hair', 'beauty']),
  product('0PUK6V6EV0', 'Candle Holder', 'This small but intricate candle holder is an excellent gift.',
    '/static/img/products/candle-holder.jpg', usd(18n, 990_000_000), ['decor', 'home']),
  product('LS4PSXUNUM', 'Salt & Pepper Shakers', 'Add some flavor to your kitchen.',
    '/static/img/products/salt-and-pepper-shakers.jpg', usd(18n, 490_000_000), ['kitchen']),
  product('9SIQT8TOJO', 'Bamboo Glass Jar', 'This bamboo glass jar can hold 57 oz (1.7 l) and is perfect for any kitchen.',
    '/static/img/products/bamboo-glass-jar.jpg', usd(5n, 490_000_000), ['kitchen']),
  product('6E92ZMYYFZ', 'Mug', 'A simple mug with a mustard interior.',
    '/static/img/products/mug.jpg', usd(8n, 990_000_000), ['kitchen']),
];

/** Flash-sale editions: limited stock, at most FLASH_PER_USER_LIMIT per user, sold via FlashSaleService. */
export const FLASH_PRODUCTS: readonly CatalogProduct[] = [
  product('FLASH-SUNGLASSES-001', 'Sunglasses (flash sale)', 'Aviator sunglasses at half price, while stock lasts.',
    '/static/img/products/sunglasses.jpg', usd(9n, 990_000_000), ['accessories', 'flash-sale']),
  product('FLASH-WATCH-001', 'Watch (flash sale)', 'The gold-tone watch at a flash-sale price, while stock lasts.',
    '/static/img/products/watch.jpg', usd(54n, 990_000_000), ['accessories', 'flash-sale']),
];

export const SEED_ITEMS: readonly SeedItem[] = [
  ...UPSTREAM_PRODUCTS.map(p => ({ product: p, stock: NORMAL_STOCK, perUserLimit: 0, flashSale: false })),
  ...FLASH_PRODUCTS.map(p => ({ product: p, stock: FLASH_STOCK, perUserLimit: FLASH_PER_USER_LIMIT, flashSale: true })),
];
