// Admin RPCs (inventory WarmUp/Release/ConfigureItem, order dead letters) need `authorization: Bearer <ADMIN_TOKEN>`.
// An empty ADMIN_TOKEN turns them off. The token is compared in constant time over SHA-256 digests
// (equal lengths, so nothing leaks through timing) and is never logged or echoed.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { PermissionDeniedError, UnauthenticatedError } from './errors';

export const AUTHORIZATION_HEADER = 'authorization';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export interface AdminGuard {
  /** Throws PermissionDeniedError / UnauthenticatedError unless the call carries the admin token. */
  check(metadata: Metadata): void;
}

export function createAdminGuard(adminToken: string): AdminGuard {
  const expected = adminToken === '' ? undefined : digest(adminToken);
  return {
    check(metadata) {
      if (!expected) throw new PermissionDeniedError('admin RPCs are disabled on this server (no admin token configured)');
      const values = metadata.get(AUTHORIZATION_HEADER);
      const header = values.length === 1 && typeof values[0] === 'string' ? values[0] : undefined;
      const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw new UnauthenticatedError('admin credential required: metadata "authorization: Bearer <token>"');
      if (!timingSafeEqual(digest(m[1] as string), expected)) throw new UnauthenticatedError('invalid admin credential');
    },
  };
}
