// Config for tests: the process environment (so the stack can be pointed elsewhere) plus overrides.
import { loadConfig, type Config, type Env } from '../../src/platform/config';

export function testConfig(overrides: Env = {}): Readonly<Config> {
  return loadConfig({ ...process.env, ...overrides });
}
