// Text form of cached catalog entries. JSON has no bigint, so price units travel as a decimal string
// and come back exact. A cached "no such product" is the literal NOT_FOUND_MARK.
import { CatalogProductShapeError } from './cache-errors';
import type { CatalogProduct } from './types';

export const NOT_FOUND_MARK = '!nf';

interface Stored {
  id: string;
  name: string;
  description: string;
  picture: string;
  price: { currencyCode: string; units: string; nanos: number };
  categories: string[];
}

function toStored(p: CatalogProduct): Stored {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    picture: p.picture,
    price: { currencyCode: p.price.currencyCode, units: p.price.units.toString(), nanos: p.price.nanos },
    categories: [...p.categories],
  };
}

function fromStored(value: unknown): CatalogProduct {
  const s = value as Partial<Stored> | null;
  const price = s?.price;
  if (
    !s ||
    typeof s.id !== 'string' ||
    typeof s.name !== 'string' ||
    typeof s.description !== 'string' ||
    typeof s.picture !== 'string' ||
    !Array.isArray(s.categories) ||
    !price ||
    typeof price.currencyCode !== 'string' ||
    typeof price.units !== 'string' ||
    !/^-?\d+$/.test(price.units) ||
    !Number.isInteger(price.nanos)
  ) {
    throw new CatalogProductShapeError();
  }
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    picture: s.picture,
    price: { currencyCode: price.currencyCode, units: BigInt(price.units), nanos: price.nanos },
    categories: s.categories.filter((c): c is string => typeof c === 'string'),
  };
}

export function encodeProduct(p: CatalogProduct | undefined): string {
  return p === undefined ? NOT_FOUND_MARK : JSON.stringify(toStored(p));
}

/** undefined = a cached "not found". Throws CatalogProductShapeError on text it did not write. */
export function decodeProduct(text: string): CatalogProduct | undefined {
  if (text === NOT_FOUND_MARK) return undefined;
  return fromStored(JSON.parse(text));
}

export function encodeProductList(list: readonly CatalogProduct[]): string {
  return JSON.stringify(list.map(toStored));
}

export function decodeProductList(text: string): CatalogProduct[] {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new CatalogProductShapeError();
  return parsed.map(fromStored);
}
