// Typed reads of JSON body fields for the thin route mappings: shape only (type, presence, size);
// the services judge the values. Failures are 400 INVALID_ARGUMENT naming the JSON field.
import { badRequest } from './http-errors';

type Obj = Record<string, unknown>;

export function optionalString(obj: Obj, field: string, max = 512): string | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(field, 'must be a string');
  if (v.length > max) throw badRequest(field, `must be at most ${max} characters`);
  return v;
}

export function requiredString(obj: Obj, field: string, max = 512): string {
  const v = optionalString(obj, field, max);
  if (v === undefined) throw badRequest(field, 'is required');
  return v;
}

/** An integer given as a JSON number or a decimal string ("2027"). */
export function optionalInt(obj: Obj, field: string, min: number, max: number): number | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,9}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw badRequest(field, `must be an integer ${min}-${max}`);
  return n;
}

export function requiredInt(obj: Obj, field: string, min: number, max: number): number {
  const v = optionalInt(obj, field, min, max);
  if (v === undefined) throw badRequest(field, 'is required');
  return v;
}

export function optionalObject(obj: Obj, field: string): Obj | undefined {
  const v = obj[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(field, 'must be an object');
  return v as Obj;
}

export function requiredObject(obj: Obj, field: string): Obj {
  const v = optionalObject(obj, field);
  if (v === undefined) throw badRequest(field, 'is required');
  return v;
}

