// Cache entries written together (a cold start, a deploy) would otherwise expire together and send
// every reader to MySQL at once; a random spread on each TTL keeps expiries apart.

export type Random = () => number;

/** baseMs ± ratio·baseMs, uniformly; never below 1 ms. `random` returns [0, 1) like Math.random. */
export function jitteredTtl(baseMs: number, ratio: number, random: Random = Math.random): number {
  const spread = baseMs * ratio;
  return Math.max(1, Math.round(baseMs - spread + random() * 2 * spread));
}
