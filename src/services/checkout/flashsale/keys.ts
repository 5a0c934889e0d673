// Redis key layout of the flash-sale front door. Every key of one buyer carries the buyer's hash tag,
// so the per-user scripts work unchanged on Redis Cluster:
//   <ns>flash:{<user>}:token:<product>    string  live purchase token (IssueToken → Buy), PX token TTL
//   <ns>flash:{<user>}:unpaid:<product>   string  order id of the user's unpaid order for the item
//   <ns>flash:{<user>}:nonpay             string  count of the user's unpaid orders cancelled by timeout
// <ns> is empty in production and a unique "<name>:" per test run.

const NAMESPACE_RE = /^[A-Za-z0-9_.:-]{0,64}$/;

export interface FlashKeys {
  token(userId: string, productId: string): string;
  unpaid(userId: string, productId: string): string;
  nonPayer(userId: string): string;
}

export function createFlashKeys(namespace = ''): FlashKeys {
  if (!NAMESPACE_RE.test(namespace)) {
    throw new RangeError('flash-sale namespace may hold only letters, digits, "_", ".", ":" and "-" (no hash-tag braces)');
  }
  const user = (userId: string) => `${namespace}flash:{${userId}}`;
  return {
    token: (userId, productId) => `${user(userId)}:token:${productId}`,
    unpaid: (userId, productId) => `${user(userId)}:unpaid:${productId}`,
    nonPayer: userId => `${user(userId)}:nonpay`,
  };
}
