import assert from 'node:assert/strict';
import { systemClock } from '../../../src/platform/clock';
import type { BinlogPosition, BinlogSource } from '../../../src/services/cdc/binlog-source';
import type { BinlogTransaction, ChangeEvent } from '../../../src/services/cdc/change-events';
import { createBinlogReader, type ReaderSettings } from '../../../src/services/cdc/reader';
import { testLogger } from '../../support/test-logger';

interface Rig {
  emit(tx: BinlogTransaction): void;
  saves: BinlogPosition[];
  sent: ChangeEvent[][];
  starts: BinlogPosition[];
  failSends: { n: number };
  log: string[];
}

function rig(settings: Partial<ReaderSettings> = {}, saved?: BinlogPosition) {
  const r: Rig = { emit: () => undefined, saves: [], sent: [], starts: [], failSends: { n: 0 }, log: [] };
  const reader = createBinlogReader({
    openSource(h): BinlogSource {
      r.emit = tx => h.onTransaction(tx);
      return { start: async from => void r.starts.push(from), stop: async () => undefined, pause: () => undefined, resume: () => undefined };
    },
    async publish(events) {
      if (r.failSends.n > 0) {
        r.failSends.n--;
        r.log.push('send failed');
        throw new Error('broker down');
      }
      r.sent.push([...events]);
      r.log.push(`sent ${events[0]!.event.binlogPosition}`);
    },
    positions: { load: async () => saved, save: async p => void (r.saves.push(p), r.log.push(`saved ${p.position}`)) },
    currentEnd: async () => ({ file: 'bin.000009', position: 4, gtid: '' }),
    tables: ['products'],
    clock: systemClock,
    logger: testLogger('reader'),
    settings: { checkpointIntervalMs: 0, idleCheckpointMs: 60_000, maxQueuedTransactions: 100, retryMs: 5, ...settings },
  });
  return { r, reader };
}

const productTx = (position: number): BinlogTransaction => ({
  file: 'bin.000009', position, gtid: `0-1-${position}`, committedAtMs: 0,
  rows: [{ table: 'products', op: 'update', before: { id: 'A', stock: 1 }, after: { id: 'A', stock: 2 } }],
});
const otherTx = (position: number): BinlogTransaction => ({ file: 'bin.000009', position, gtid: '', committedAtMs: 0, rows: [] });
const until = async (probe: () => boolean) => {
  for (const end = Date.now() + 5_000; !probe(); await new Promise(res => setTimeout(res, 5))) if (Date.now() > end) throw new Error('timeout');
};

describe('cdc binlog reader (checkpoints)', () => {
  it('without a checkpoint, saves the current binlog end before streaming from it', async () => {
    const { r, reader } = rig();
    await reader.start();
    assert.deepEqual(r.saves, [{ file: 'bin.000009', position: 4, gtid: '' }]);
    assert.deepEqual(r.starts, r.saves);
    await reader.stop();
  });

  it('resumes from the saved position; saves a position only after its events were sent', async () => {
    const { r, reader } = rig({}, { file: 'bin.000009', position: 100, gtid: '' });
    await reader.start();
    assert.equal(r.starts[0]!.position, 100);
    r.failSends.n = 2;
    r.emit(productTx(200));
    await until(() => r.sent.length === 1);
    await until(() => r.saves.length === 1);
    assert.deepEqual(r.log, ['send failed', 'send failed', 'sent 200', 'saved 200']);
    await reader.stop();
  });

  it('transactions without watched rows move the position only at the idle interval (or at stop)', async () => {
    const { r, reader } = rig({ idleCheckpointMs: 60_000 }, { file: 'bin.000009', position: 100, gtid: '' });
    await reader.start();
    r.emit(otherTx(150));
    r.emit(productTx(200));
    r.emit(otherTx(250));
    await until(() => r.sent.length === 1);
    await until(() => r.saves.length >= 1);
    assert.deepEqual(r.saves.map(s => s.position), [200]);
    await reader.stop();
    assert.deepEqual(r.saves.map(s => s.position), [200, 250], 'stop saves where it got to');
    assert.equal(reader.stats.transactions, 3);
  });
});
