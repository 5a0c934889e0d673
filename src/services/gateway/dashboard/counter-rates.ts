// Per-second rates from Prometheus counters read at two moments (what rate() does, for one step).
// A counter that went down means its process restarted: the new value is the increase since then.

export interface RateTracker {
  /** Records `totals` (name → counter value) read at `atMs`; returns name → per-second rate since the previous reading (0 on the first). */
  observe(totals: Readonly<Record<string, number>>, atMs: number): Record<string, number>;
}

export function createRateTracker(): RateTracker {
  let previous: { totals: Readonly<Record<string, number>>; atMs: number } | undefined;
  let lastRates: Record<string, number> = {};
  return {
    observe(totals, atMs) {
      const rates: Record<string, number> = {};
      if (previous === undefined) {
        for (const name of Object.keys(totals)) rates[name] = 0;
      } else {
        const seconds = (atMs - previous.atMs) / 1000;
        // Two reads at the same instant (a reused snapshot) keep the last computed rates.
        if (seconds <= 0) return { ...lastRates };
        for (const [name, now] of Object.entries(totals)) {
          const before = previous.totals[name] ?? 0;
          const increase = now >= before ? now - before : now;
          rates[name] = Math.round((increase / seconds) * 100) / 100;
        }
      }
      previous = { totals: { ...totals }, atMs };
      lastRates = rates;
      return { ...rates };
    },
  };
}
