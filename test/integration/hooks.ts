// Root hooks for integration tests: the real stack must be up. Nothing is skipped: if Redis,
// MariaDB or the RocketMQ proxy is unreachable, every test fails with one line saying which.
import type { RootHookObject } from 'mocha';
import { assertStackRunning } from '../support/stack-check';
import { testConfig } from '../support/test-config';

export const mochaHooks: RootHookObject = {
  async beforeAll() {
    try {
      await assertStackRunning(testConfig());
    } catch (err) {
      // Drop the stack trace: the message says all there is to say.
      const e = err as Error;
      e.stack = e.message;
      throw e;
    }
  },
};
