import { InvalidArgumentError } from '../../platform/errors';

/** The currency code is not in the rate table → INVALID_ARGUMENT naming the request field that carried it. */
export class UnsupportedCurrencyError extends InvalidArgumentError {
  constructor(
    field: string,
    readonly code: string,
  ) {
    super(field, `unsupported currency code ${JSON.stringify(code)}`);
  }
}
