// Silent logger for tests; DEBUG=1 (or any value) prints debug lines to stdout.
import { createLogger, type Logger } from '../../src/platform/logger';
import { testConfig } from './test-config';

export function testLogger(name = 'test'): Logger {
  return createLogger(testConfig(), name, { level: process.env.DEBUG ? 'debug' : 'silent' });
}
