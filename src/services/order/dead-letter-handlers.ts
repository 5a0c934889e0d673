// [admin] OrderService.ListDeadLetters / ReplayDeadLetter (F7). Both need `authorization: Bearer
// <ADMIN_TOKEN>`. A replay re-publishes the letter to its original topic with its original key, body,
// properties, tag and (FIFO) message group, then marks it replayed. Replaying a replayed letter is an
// idempotent no-op (already_replayed = true, nothing published): an operator retrying the call never
// causes a second delivery. Consumers are idempotent, so two concurrent first replays are harmless.
import type { DeadLetter, OrderServiceService } from '../../gen/shop/v1/order';
import type { AdminGuard } from '../../platform/admin-auth';
import type { Clock } from '../../platform/clock';
import { FailedPreconditionError, InvalidArgumentError, NotFoundError, UnavailableError } from '../../platform/errors';
import type { AsyncServiceImpl } from '../../platform/grpc-server';
import { MqInvalidMessageError, type MqSendRequest, type MqSendResult } from '../../platform/mq';
import { kindOfTopic, replayMessage, type DlqSource, type StoredDeadLetter } from './workers/dlq-letters';
import type { DeadLetterRepo } from './workers/dlq-repo';

export type DeadLetterHandlers = Pick<AsyncServiceImpl<typeof OrderServiceService>, 'listDeadLetters' | 'replayDeadLetter'>;

export interface DeadLetterHandlerDeps {
  readonly repo: DeadLetterRepo;
  /** MqProducer.send of a started producer (its topics should include every replayable topic). */
  readonly publish: (message: MqSendRequest) => Promise<MqSendResult>;
  readonly admin: AdminGuard;
  /** Kinds of the original topics (FIFO letters need a group, DELAY letters a delivery time). */
  readonly sources: readonly DlqSource[];
  readonly clock: Clock;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const TOKEN_PREFIX = 'dl1:';

export function encodePageToken(id: bigint): string {
  return Buffer.from(`${TOKEN_PREFIX}${id}`, 'utf8').toString('base64url');
}

export function decodePageToken(token: string): bigint | undefined {
  if (token === '') return undefined;
  const text = Buffer.from(token, 'base64url').toString('utf8');
  const digits = text.startsWith(TOKEN_PREFIX) ? text.slice(TOKEN_PREFIX.length) : '';
  if (!/^[1-9][0-9]{0,19}$/.test(digits)) throw new InvalidArgumentError('page_token', 'is not a token from a previous page');
  return BigInt(digits);
}

export function toDeadLetterProto(l: StoredDeadLetter): DeadLetter {
  return {
    id: l.id,
    topic: l.topic,
    consumerGroup: l.consumerGroup,
    messageKey: l.msgKey,
    messageId: l.messageId,
    body: l.body,
    properties: { ...l.properties },
    reason: l.reason,
    attempts: l.attempts,
    deadAt: l.createdAt,
    replayedAt: l.replayedAt ?? undefined,
  };
}

function pageSize(requested: number): number {
  if (requested === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(requested) || requested < 0 || requested > MAX_PAGE_SIZE) {
    throw new InvalidArgumentError('page_size', `must be within 1..${MAX_PAGE_SIZE} (0 = ${DEFAULT_PAGE_SIZE})`);
  }
  return requested;
}

export function createDeadLetterHandlers(deps: DeadLetterHandlerDeps): DeadLetterHandlers {
  const { repo, admin } = deps;
  return {
    async listDeadLetters(req, ctx) {
      admin.check(ctx.metadata);
      const limit = pageSize(req.pageSize);
      const beforeId = decodePageToken(req.pageToken);
      const [letters, pending] = await Promise.all([
        repo.page({ topic: req.topic, includeReplayed: req.includeReplayed, limit: limit + 1, ...(beforeId !== undefined ? { beforeId } : {}) }),
        repo.countPending(req.topic),
      ]);
      const page = letters.slice(0, limit);
      const last = page[page.length - 1];
      return {
        deadLetters: page.map(toDeadLetterProto),
        nextPageToken: letters.length > limit && last ? encodePageToken(last.id) : '',
        pendingCount: BigInt(pending),
      };
    },

    async replayDeadLetter(req, ctx) {
      admin.check(ctx.metadata);
      if (req.id <= 0n) throw new InvalidArgumentError('id', 'must be a dead letter id (> 0)');
      const letter = await repo.get(req.id);
      if (letter === undefined) throw new NotFoundError(`no dead letter with id ${req.id}`);
      if (letter.replayedAt !== null) return { deadLetter: toDeadLetterProto(letter), newMessageId: '', alreadyReplayed: true };

      let sent: MqSendResult;
      try {
        sent = await deps.publish(replayMessage(letter, kindOfTopic(deps.sources, letter.topic)));
      } catch (err) {
        if (err instanceof MqInvalidMessageError) throw new FailedPreconditionError(`dead letter ${req.id} cannot be re-published: ${err.message}`);
        throw new UnavailableError(`could not re-publish dead letter ${req.id}; try again`, { cause: err });
      }
      await repo.markReplayed(letter.id, new Date(deps.clock.now()), sent.messageId);
      const updated = (await repo.get(letter.id)) ?? letter;
      return { deadLetter: toDeadLetterProto(updated), newMessageId: sent.messageId, alreadyReplayed: false };
    },
  };
}
