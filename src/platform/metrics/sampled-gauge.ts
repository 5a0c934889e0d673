// A gauge read at scrape time from sources registered by the parts that own the data (a Redis stream's
// XINFO, a MySQL count). Nothing runs between scrapes; a slow or failing source is cut off after
// `timeoutMs`, counted in app_metric_sample_failures_total, and its series are left out of that scrape.
import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from './registry';

export type LabelSet = Readonly<Record<string, string>>;
export type Sample = (set: (labels: LabelSet, value: number) => void) => Promise<void>;

export interface SampledGauge {
  readonly name: string;
  /** Adds a source; returns its removal (call it when the owner stops). */
  addSource(source: Sample): () => void;
}

const sampleFailures = new Counter({
  name: 'app_metric_sample_failures_total',
  help: 'Scrape-time samples that failed or timed out, by gauge',
  labelNames: ['gauge'],
  registers: [metricsRegistry],
});

const DEFAULT_TIMEOUT_MS = 2_000;

export function sampledGauge(opts: { name: string; help: string; labelNames: readonly string[]; timeoutMs?: number }): SampledGauge {
  const sources = new Set<Sample>();
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  new Gauge({
    name: opts.name,
    help: opts.help,
    labelNames: [...opts.labelNames],
    registers: [metricsRegistry],
    async collect() {
      this.reset();
      await Promise.all(
        [...sources].map(async source => {
          // Values arrive in a buffer and land only when the source finished in time.
          const values: Array<[LabelSet, number]> = [];
          let timer: NodeJS.Timeout | undefined;
          try {
            const done = await Promise.race([
              source((labels, value) => void values.push([labels, value])).then(() => true),
              new Promise<boolean>(resolve => {
                timer = setTimeout(() => resolve(false), timeoutMs);
              }),
            ]);
            if (!done) throw new Error('timed out');
            for (const [labels, value] of values) this.set({ ...labels }, value);
          } catch {
            sampleFailures.inc({ gauge: opts.name });
          } finally {
            clearTimeout(timer);
          }
        }),
      );
    },
  });
  return {
    name: opts.name,
    addSource(source) {
      sources.add(source);
      return () => void sources.delete(source);
    },
  };
}
