// The currency service's supported codes, remembered for a while (the list is static upstream):
// one fetch is shared by concurrent requests, and a stale list is better than none when the
// currency service is briefly down.
import type { Clock } from '../../platform/clock';
import { InvalidArgumentError } from '../../platform/errors';

export interface SupportedCurrencies {
  /** Throws INVALID_ARGUMENT on `user_currency` for a code the currency service does not know. */
  require(code: string): Promise<void>;
}

export interface SupportedCurrenciesDeps {
  readonly fetch: () => Promise<readonly string[]>;
  readonly clock: Pick<Clock, 'now'>;
  /** 0 = ask every time. */
  readonly ttlMs: number;
}

export function createSupportedCurrencies({ fetch, clock, ttlMs }: SupportedCurrenciesDeps): SupportedCurrencies {
  let cached: { codes: ReadonlySet<string>; until: number } | undefined;
  let inFlight: Promise<ReadonlySet<string>> | undefined;

  function refresh(): Promise<ReadonlySet<string>> {
    inFlight ??= fetch()
      .then(list => {
        const codes = new Set(list);
        cached = { codes, until: clock.now() + ttlMs };
        return codes;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  async function codes(): Promise<ReadonlySet<string>> {
    if (cached && clock.now() < cached.until) return cached.codes;
    try {
      return await refresh();
    } catch (err) {
      if (cached) return cached.codes;
      throw err;
    }
  }

  return {
    async require(code) {
      if (!(await codes()).has(code)) throw new InvalidArgumentError('user_currency', `${code} is not a supported currency`);
    },
  };
}
