// Fetches /metrics from every configured target at once; a target that is down or slow is reported as
// such (its series are simply missing) so one dead process never blanks the whole dashboard.
import type { HostPort } from '../../../platform/config-parsers';
import { parseMetrics, type Series } from './prometheus-text';

export interface TargetScrape {
  readonly target: string;
  readonly up: boolean;
  readonly error?: string;
  readonly series: readonly Series[];
}

export type Scraper = () => Promise<TargetScrape[]>;

export function createMetricsScraper(targets: readonly HostPort[], timeoutMs: number): Scraper {
  const addresses = targets.map(t => `${t.host}:${t.port}`);
  return () =>
    Promise.all(
      addresses.map(async (target): Promise<TargetScrape> => {
        try {
          const res = await fetch(`http://${target}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
          if (!res.ok) return { target, up: false, error: `HTTP ${res.status}`, series: [] };
          return { target, up: true, series: parseMetrics(await res.text()) };
        } catch (err) {
          const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'unreachable';
          return { target, up: false, error: reason, series: [] };
        }
      }),
    );
}
