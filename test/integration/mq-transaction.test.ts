// Transactional messages against the real broker (broker.conf: transactionCheckInterval=5000, transactionTimeOut=3000).
import assert from 'node:assert/strict';
import {
  ack, createMqConsumer, createMqProducer,
  type MqConsumer, type MqMessage, type MqMetricEvent, type MqProducer, type MqTransactionVerdict,
} from '../../src/platform/mq';
import { uniqueId } from '../support/ids';
import { testConfig } from '../support/test-config';
import { testLogger } from '../support/test-logger';

const { rocketmq } = testConfig();
const logger = testLogger('mq'); // DEBUG=1 shows the adapter's and the client's logs
const runId = uniqueId('run');
const common = { endpoints: rocketmq.endpoints, namespace: rocketmq.namespace, logger, startupTimeoutMs: rocketmq.startupTimeoutMs };
const topic = 'it-tx';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));
async function waitFor(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

describe('mq: transactional messages against the real broker', function () {
  this.timeout(120_000);
  // Stands in for the database the real checker reads: tx name -> did the local transaction commit?
  const localState = new Map<string, boolean>();
  const checked: Array<{ tx: string; verdict: MqTransactionVerdict }> = [];
  const delivered: string[] = [];
  let polls = 0;
  let survivor: MqProducer;      // answers back-checks from localState
  let crashing: MqProducer;      // sends half messages, then "dies" without resolving them
  let consumer: MqConsumer;

  const txOf = (m: MqMessage) => m.properties.get('tx') ?? '';
  const msg = (tx: string) => ({ topic, keys: [`${runId}-${tx}`], body: Buffer.from(`tx-${tx}`), properties: { run: runId, tx } });

  before(async () => {
    survivor = createMqProducer({
      ...common, topics: [topic],
      checker: async m => {
        if (m.properties.get('run') !== runId) return 'unknown'; // someone else's half message: not ours to decide
        const tx = txOf(m);
        const verdict: MqTransactionVerdict = localState.has(tx) ? (localState.get(tx) ? 'commit' : 'rollback') : 'unknown';
        checked.push({ tx, verdict });
        return verdict;
      },
    });
    crashing = createMqProducer({ ...common, topics: [topic], checker: async () => 'unknown' });
    consumer = createMqConsumer({
      ...common, group: 'GID_it_tx', topic, batchSize: 16, invisibleMs: 5_000, awaitMs: 1_000,
      metrics: (e: MqMetricEvent) => { if (e.type === 'polled') polls += 1; },
      handler: async batch => batch.map(m => {
        if (m.properties.get('run') === runId) delivered.push(txOf(m));
        return ack;
      }),
    });
    await Promise.all([survivor.start(), crashing.start(), consumer.start()]);
    await waitFor('a first poll of GID_it_tx', () => polls > 0, 30_000);
  });

  after(async () => {
    await Promise.all([consumer?.stop(), survivor?.stop(), crashing?.stop()]);
  });

  it('commit → delivered, rollback → not, unresolved → the checker decides after the back-check', async () => {
    const committed = await survivor.sendInTransaction(msg('commit'), async () => { localState.set('commit', true); return true; });
    assert.equal(committed.outcome, 'committed');
    const rolledBack = await survivor.sendInTransaction(msg('rollback'), async () => { localState.set('rollback', false); return false; });
    assert.equal(rolledBack.outcome, 'rolled_back');

    // Local transaction outcome uncertain (it threw): nothing resolved, the checker will find it committed.
    await assert.rejects(survivor.sendInTransaction(msg('threw'), async () => {
      localState.set('threw', true);
      throw new Error('connection lost after COMMIT');
    }), /connection lost/);

    // "Crash" between the local commit and the half-message commit: the process never resolves and goes away.
    await crashing.beginTransaction(msg('crash-commit'));
    localState.set('crash-commit', true);
    await crashing.beginTransaction(msg('crash-rollback'));
    localState.set('crash-rollback', false);
    await crashing.stop();

    await waitFor('back-checks of the unresolved half messages',
      () => ['threw', 'crash-commit', 'crash-rollback'].every(tx => checked.some(c => c.tx === tx && c.verdict !== 'unknown')), 60_000);
    await waitFor('committed messages', () => ['commit', 'threw', 'crash-commit'].every(tx => delivered.includes(tx)), 30_000);

    // Rolled-back half messages are resolved for good; a committed sentinel sent after the checker's rollback
    // arriving without them is as close to "never" as a test gets.
    await survivor.sendInTransaction(msg('sentinel'), async () => { localState.set('sentinel', true); return true; });
    await waitFor('the sentinel', () => delivered.includes('sentinel'), 30_000);
    assert.deepEqual([...delivered].sort(), ['commit', 'crash-commit', 'sentinel', 'threw']);
    assert.ok(!checked.some(c => c.tx === 'commit' || c.tx === 'rollback' || c.tx === 'sentinel'), 'resolved transactions were not back-checked');
  });

  it('refuses FIFO or delayed transactional messages and transactions on a producer without checker', async () => {
    await assert.rejects(survivor.beginTransaction({ ...msg('bad'), delayMs: 1_000 }), /cannot be FIFO or delayed/);
    await assert.rejects(survivor.beginTransaction({ ...msg('bad'), messageGroup: 'g' }), /cannot be FIFO or delayed/);
    const plain = createMqProducer({ ...common, topics: [topic] });
    await assert.rejects(plain.beginTransaction(msg('bad')), /no transaction checker/);
    await plain.stop();
  });
});
