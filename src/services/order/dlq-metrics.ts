// app_dead_letters: rows of dead_letters per consumer group, open (not replayed yet) or replayed,
// counted at scrape time (one GROUP BY over an indexed, small table).
import { count, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../platform/db';
import { deadLetters as deadLettersGauge } from '../../platform/metrics/app-metrics';
import type { Sample } from '../../platform/metrics/sampled-gauge';
import { deadLetters } from './schema';

export function dlqSizeSample(db: Db): Sample {
  return async set => {
    const open = sql<number>`${isNull(deadLetters.replayedAt)}`;
    const rows = await db
      .select({ group: deadLetters.consumerGroup, open, n: count() })
      .from(deadLetters)
      .groupBy(deadLetters.consumerGroup, open);
    for (const r of rows) set({ consumer_group: r.group, state: Number(r.open) ? 'open' : 'replayed' }, Number(r.n));
  };
}

/** Registers the sample; returns its removal. */
export function registerDlqMetrics(db: Db): () => void {
  return deadLettersGauge.addSource(dlqSizeSample(db));
}
