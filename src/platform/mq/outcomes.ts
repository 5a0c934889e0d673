import type { MqMessage, MqOutcome } from './types';

/**
 * Turns what a handler returned into one outcome per message.
 * - A missing, malformed or wrong-length answer retries the whole batch: acking something that was not handled
 *   would lose it, retrying something that was handled only costs an idempotent replay.
 * - FIFO: once a message of a group is retried, later messages of that group in the batch are retried too, so the
 *   group cannot be acked past a gap.
 */
export function resolveOutcomes(
  batch: readonly MqMessage[],
  answer: readonly MqOutcome[] | undefined,
  defaultRetryMs: number,
): MqOutcome[] {
  const fallback: MqOutcome = { kind: 'retry', delayMs: defaultRetryMs };
  if (!answer || answer.length !== batch.length) return batch.map(() => fallback);
  const blockedGroups = new Set<string>();
  return batch.map((msg, i) => {
    const outcome = normalize(answer[i], fallback);
    const group = msg.messageGroup;
    if (group === undefined) return outcome;
    if (blockedGroups.has(group)) return outcome.kind === 'retry' ? outcome : fallback;
    if (outcome.kind === 'retry') blockedGroups.add(group);
    return outcome;
  });
}

function normalize(outcome: MqOutcome | undefined, fallback: MqOutcome): MqOutcome {
  if (outcome?.kind === 'ack') return outcome;
  if (outcome?.kind === 'retry' && Number.isFinite(outcome.delayMs) && outcome.delayMs >= 0) return outcome;
  return fallback;
}
