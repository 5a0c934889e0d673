// Child process of the sale simulator: the real checkout service module (CheckoutService +
// FlashSaleService) with the environment the parent sets — a short ORDER_PAYMENT_WINDOW_MS so unpaid
// orders are cancelled during the run, CHECKOUT_TRUST_FORWARDED_FOR so each simulated buyer has its own
// client address, CHECKOUT_PORT=0 — and every other service address pointing at `make run`'s.
// Prints `BENCH_READY {"port":N}`; SIGTERM drains it through the process shutdown.
import { systemClock } from '../../src/platform/clock';
import { loadConfig } from '../../src/platform/config';
import { createLogger } from '../../src/platform/logger';
import { createShutdown } from '../../src/platform/shutdown';
import { checkoutModule } from '../../src/services/checkout';
import { createRuntime } from '../../src/services/runtime';
import { announceReady, exitOnSigterm } from '../lib/child-server';

export interface SaleCheckoutReady {
  readonly port: number;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'sale-checkout');
  const shutdown = createShutdown({ logger, timeoutMs: config.lifecycle.shutdownGraceMs + 5_000 });
  const rt = createRuntime({ config, logger, clock: systemClock, shutdown });
  exitOnSigterm(async () => {
    const result = await shutdown.run('SIGTERM');
    if (result.timedOut || result.failed.length > 0) throw new Error(`shutdown: timed out ${result.timedOut}, failed ${result.failed.join(', ')}`);
  });
  const running = await checkoutModule.start(rt);
  const ready: SaleCheckoutReady = { port: running.port };
  announceReady(ready);
}

main().catch((err: unknown) => {
  process.stderr.write(`sale checkout failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
