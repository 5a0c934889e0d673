// A dependency could not be reached at start-up. The message is one line naming the config key,
// its (redacted) value and the reason, so main can print it instead of a stack trace.
import { redactUrl } from './redact';

export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(
    readonly what: string,
    readonly key: string,
    value: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`startup: ${what} not reachable at ${key}=${redactUrl(value)}: ${reason}`, options);
  }
}

/** Rejects with `onTimeout()` if `promise` has not settled within `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
