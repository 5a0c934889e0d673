import { UnavailableError } from '../../platform/errors';

/** Injected (or real) carrier outage → UNAVAILABLE: transient, callers retry with backoff. */
export class ShippingUnavailableError extends UnavailableError {
  constructor(message = 'shipping carrier unavailable') {
    super(message);
  }
}
