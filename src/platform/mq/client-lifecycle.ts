import type { BaseClient } from 'rocketmq-client-nodejs';
import { MqStartupError } from './errors';
import type { MqLogger } from './types';

/** The parts of a rocketmq client the lifecycle touches (a fake implements it in unit tests). */
export interface ManagedClient {
  startup(): Promise<void>;
  shutdown(): Promise<void>;
  createTelemetryStream: BaseClient['createTelemetryStream'];
  getRpcClientManager(): { close(): void };
  onSettingsCommand: BaseClient['onSettingsCommand'];
  settingsCommand: BaseClient['settingsCommand'];
  telemetry: BaseClient['telemetry'];
}

export interface StartOptions {
  readonly what: string;
  readonly endpoints: string;
  readonly timeoutMs: number;
  readonly logger: MqLogger;
  /** Backstop for a startup that outlives our timeout (route retries take at most ~3 x requestTimeout + 3 s). */
  readonly lateCleanupMs?: number;
  readonly settingsNudgeMs?: number;
}

/**
 * `startup()` waits forever for the first settings message, and every constructed client holds an interval that
 * keeps node alive (rocketmq.md §6). So: our own timeout, and on any failure a full shutdown, repeated once the
 * abandoned startup settles (it may open fresh RPC channels after our first shutdown).
 */
export async function startClient(client: ManagedClient, opts: StartOptions): Promise<void> {
  const stopNudging = nudgeLostSettings(client, opts.settingsNudgeMs ?? 1_000);
  const startup = client.startup();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`no settings from the proxy within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
  });
  try {
    await Promise.race([startup, timeout]);
  } catch (cause) {
    await shutdownClient(client, opts.logger, opts.what);
    if (timedOut) {
      const again = (): void => void shutdownClient(client, opts.logger, opts.what);
      startup.then(again, again);
      setTimeout(again, opts.lateCleanupMs ?? 15_000).unref();
    }
    const reason = `${describeFailure(cause)} (ROCKETMQ_STARTUP_TIMEOUT_MS=${opts.timeoutMs})`;
    throw new MqStartupError(`RocketMQ ${opts.what}`, 'ROCKETMQ_ENDPOINTS', opts.endpoints, reason, { cause });
  } finally {
    clearTimeout(timer);
    stopNudging();
  }
}

/**
 * Client defect: with several topics, startup() fetches the routes one by one; the first route opens the telemetry
 * stream and the proxy's settings reply can arrive before startup() starts waiting for it. That wake-up is lost
 * and the next settings sync is 5 minutes away. Once any settings have arrived, we re-send ours while startup is
 * pending; the proxy answers every sync with settings, which wakes the waiting startup.
 */
function nudgeLostSettings(client: ManagedClient, everyMs: number): () => void {
  let answeredBy: Parameters<ManagedClient['onSettingsCommand']>[0] | undefined;
  const original = client.onSettingsCommand.bind(client);
  client.onSettingsCommand = (endpoints, settings) => {
    answeredBy = endpoints;
    original(endpoints, settings);
  };
  const timer = setInterval(() => {
    if (answeredBy) client.telemetry(answeredBy, client.settingsCommand());
  }, everyMs);
  return () => clearInterval(timer);
}

/** One line from the client's error chain, minus its generic wrapper and multi-line FAQ links. */
export function describeFailure(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    const line = (message.split('\n')[0] ?? '').replace(/\s*Resolution note:\s*$/, '').trim();
    if (line && !line.startsWith('Startup the rocketmq client failed')) parts.push(line);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}

/** Inert stand-in for a telemetry stream: nothing to connect, nothing to emit, nothing keeping node alive. */
const deadStream = {
  on() { return deadStream; },
  once() { return deadStream; },
  write() { return true; },
  end() { return deadStream; },
  removeAllListeners() { return deadStream; },
};

/**
 * Shutdown that always lets the process exit. Two client defects are worked around here:
 * - a telemetry stream that errored schedules a reconnect 1 s later, which after shutdown would open a new channel
 *   and loop forever; we swap the stream factory for an inert one first;
 * - shutdown() awaits NotifyClientTermination and throws if the proxy is down, skipping the channel close;
 *   we close the RPC channels ourselves in that case.
 */
export async function shutdownClient(client: ManagedClient, logger: MqLogger, what: string): Promise<void> {
  client.createTelemetryStream = (() => deadStream) as unknown as ManagedClient['createTelemetryStream'];
  try {
    await client.shutdown();
  } catch (err) {
    logger.debug({ err, what }, 'rocketmq client shutdown incomplete (proxy unreachable); closing channels directly');
    try {
      client.getRpcClientManager().close();
    } catch (closeErr) {
      logger.warn({ err: closeErr, what }, 'closing rocketmq channels failed');
    }
  }
}
