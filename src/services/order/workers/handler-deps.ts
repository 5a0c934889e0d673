// What the order service's own message handlers (creation, status) share: permanent failures are stored
// in dead_letters right away, transient ones are redelivered after a delay with their reason noted for
// the DLQ worker, and a failure is worded the same way everywhere.
import type { Clock } from '../../../platform/clock';
import type { Logger } from '../../../platform/logger';
import type { FailureNotes } from './dlq-failure-notes';
import type { NewDeadLetter } from './dlq-letters';

export interface OrderHandlerDeps {
  readonly deadLetters: { store(letters: readonly NewDeadLetter[]): Promise<number> };
  readonly clock: Clock;
  readonly logger: Logger;
  /** The topic and group consumed, recorded with dead letters and failure notes. */
  readonly topic: string;
  readonly group: string;
  /** Redelivery delay of a transient failure. */
  readonly retryDelayMs: number;
  readonly notes?: FailureNotes;
}

/** A failure as one bounded line for logs, notes and dead letters. */
export const failureMessage = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 900);
