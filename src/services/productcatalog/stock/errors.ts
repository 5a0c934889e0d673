import { InternalError, InvalidArgumentError } from '../../../platform/errors';

/** A stock request field is malformed; nothing was sent to Redis. Maps to INVALID_ARGUMENT. */
export class InvalidStockRequestError extends InvalidArgumentError {}

/** A script answered something this code does not understand (version skew, a bug). */
export class StockScriptError extends InternalError {
  constructor(
    readonly script: string,
    reply: unknown,
  ) {
    super(`${script}: unexpected reply ${JSON.stringify(reply)?.slice(0, 200)}`);
  }
}

/** A stream entry that cannot be decoded: the workers dead-letter it with this message as the reason. */
export class MalformedStockEntryError extends Error {
  override readonly name = 'MalformedStockEntryError';
  constructor(
    readonly entryId: string,
    problem: string,
  ) {
    super(`stream entry ${entryId}: ${problem}`);
  }
}
