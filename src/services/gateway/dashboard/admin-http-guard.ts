// The admin credential of the dashboard routes: `Authorization: Bearer <ADMIN_TOKEN>`, checked by the
// same constant-time guard the gRPC admin RPCs use (platform/admin-auth.ts), so the rules stay in one place:
// no token configured → PermissionDeniedError (403), missing or wrong → UnauthenticatedError (401).
import { Metadata } from '@grpc/grpc-js';
import { AUTHORIZATION_HEADER, createAdminGuard } from '../../../platform/admin-auth';

export type AdminHttpGuard = (authorization: string | string[] | undefined) => void;

export function createAdminHttpGuard(adminToken: string): AdminHttpGuard {
  const guard = createAdminGuard(adminToken);
  return authorization => {
    const md = new Metadata();
    // Several Authorization headers are refused like a missing one (the guard wants exactly one value).
    for (const value of Array.isArray(authorization) ? authorization : authorization === undefined ? [] : [authorization]) {
      md.add(AUTHORIZATION_HEADER, value);
    }
    guard.check(md);
  };
}
