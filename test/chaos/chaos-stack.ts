// The isolated infrastructure of the fault-injection suite: a second scripts/stack.sh instance under
// .stack/chaos with every port shifted by 1000, so kill -9 never touches the shared stack colleagues test on.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { projectPath } from '../../src/platform/paths';

const run = promisify(execFile);

export const PORT_OFFSET = 1000;
/** CHAOS_STACK_DIR: another data directory for the isolated instance (default .stack/chaos). */
export const STACK_DIR = process.env.CHAOS_STACK_DIR ?? projectPath('.stack/chaos');

export type InfraComponent = 'redis' | 'mariadb' | 'rocketmq';

export const CHAOS_STORES = Object.freeze({
  redisPort: 6390 + PORT_OFFSET,
  redisUrl: `redis://127.0.0.1:${6390 + PORT_OFFSET}`,
  mysqlUrl: `mysql://shop:shop@127.0.0.1:${3316 + PORT_OFFSET}/shop`,
  rocketmqEndpoints: `127.0.0.1:${8081 + PORT_OFFSET}`,
});

/** Runs `scripts/stack.sh <args>` against the isolated instance; a failure carries the script's stderr. */
export async function stack(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('bash', [projectPath('scripts/stack.sh'), ...args], {
      env: { ...process.env, STACK_DIR, STACK_PORT_OFFSET: String(PORT_OFFSET) },
      maxBuffer: 16 * 1024 * 1024,
      timeout: 600_000,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`scripts/stack.sh ${args.join(' ')} failed: ${(e.stderr ?? e.message).trim()}`);
  }
}

export const kill9 = (c: InfraComponent): Promise<string> => stack('kill9', c);
export const up = (...c: InfraComponent[]): Promise<string> => stack('up', ...c);
