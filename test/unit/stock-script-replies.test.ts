import assert from 'node:assert/strict';
import { StockScriptError } from '../../src/services/productcatalog/stock/errors';
import {
  parseDecideReply,
  parseRefusal,
  parseReleaseReply,
  parseReserveReply,
  parseSettleReply,
  parseWarmUpReply,
} from '../../src/services/productcatalog/stock/script-replies';

describe('stock script replies', () => {
  it('reserve: RESERVED with stream ids and stock after each line', () => {
    assert.deepEqual(parseReserveReply(['RESERVED', '1-0', '1-1', '998', '0']), { code: 'RESERVED', orderEntryId: '1-0', stockEntryId: '1-1', after: [998, 0] });
    assert.deepEqual(parseReserveReply(['RESERVED', '', '1-1', '3']), { code: 'RESERVED', orderEntryId: null, stockEntryId: '1-1', after: [3] });
  });

  it('reserve: refusals, with the raw text a part keeps', () => {
    assert.deepEqual(parseReserveReply(['SOLD_OUT', '1', 'B', '0']), { code: 'SOLD_OUT', index: 1, sku: 'B', available: 0, raw: 'SOLD_OUT|1|B|0' });
    assert.deepEqual(parseReserveReply(['LIMIT_EXCEEDED', '0', 'A', '2', '2']), { code: 'LIMIT_EXCEEDED', index: 0, sku: 'A', limit: 2, held: 2, raw: 'LIMIT_EXCEEDED|0|A|2|2' });
    assert.deepEqual(parseReserveReply(['NOT_WARMED', '2', 'C']), { code: 'NOT_WARMED', index: 2, sku: 'C' });
  });

  it('reserve: DUPLICATE carries the first outcome', () => {
    assert.deepEqual(parseReserveReply(['DUPLICATE', 'RESERVED', 'u1', 'A:1,B:2', '', '3,7']), {
      code: 'DUPLICATE', state: 'RESERVED', userId: 'u1', all: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }], refusal: null, shards: [3, 7],
    });
    const refused = parseReserveReply(['DUPLICATE', 'REFUSED', 'u1', 'A:1', 'SOLD_OUT|0|A|0', '3']);
    assert.deepEqual(refused.code === 'DUPLICATE' && refused.refusal, { kind: 'SOLD_OUT', line: 0, sku: 'A', available: 0, fastPath: false });
    assert.deepEqual(parseRefusal('LIMIT_EXCEEDED|1|B|2|1'), { kind: 'LIMIT_EXCEEDED', line: 1, sku: 'B', limit: 2, held: 1 });
    assert.equal(parseRefusal(''), null);
    assert.equal(parseRefusal('SOLD_OUT|0|A'), null);
  });

  it('release, decide, settle and warm-up replies', () => {
    assert.deepEqual(parseReleaseReply(['RELEASED', 'A:1', '5-0']), { code: 'RELEASED', lines: [{ sku: 'A', qty: 1 }], stockEntryId: '5-0' });
    assert.deepEqual(parseReleaseReply(['ALREADY', 'RELEASED']), { code: 'ALREADY', state: 'RELEASED' });
    assert.deepEqual(parseReleaseReply(['PART_PENDING', '1,4']), { code: 'PART_PENDING', shards: [1, 4] });
    assert.deepEqual(parseReleaseReply(['UNKNOWN']), { code: 'UNKNOWN' });
    assert.deepEqual(parseReleaseReply(['STALE', 'A:2']), { code: 'STALE', lines: 'A:2' });
    assert.deepEqual(parseDecideReply(['ABORTED', 'REFUSED', 'SOLD_OUT|1|B|0']), {
      decision: 'ABORTED', state: 'REFUSED', refusal: { kind: 'SOLD_OUT', line: 1, sku: 'B', available: 0, fastPath: false }, rawRefusal: 'SOLD_OUT|1|B|0',
    });
    assert.deepEqual(parseSettleReply(['NOOP', '']), { code: 'NOOP', state: null });
    assert.deepEqual(parseWarmUpReply(['WARMED', '']), { code: 'WARMED', previousStock: null });
    assert.deepEqual(parseWarmUpReply(['UNSYNCED', '5', '3']), { code: 'UNSYNCED', seq: 5, synced: 3 });
    assert.deepEqual(parseWarmUpReply(['STALE', '1:4']), { code: 'STALE', token: '1:4' });
  });

  it('anything else is a StockScriptError (a bug or version skew), never a business outcome', () => {
    const bad: Array<[(r: unknown) => unknown, unknown]> = [
      [parseReserveReply, null],
      [parseReserveReply, 'RESERVED'],
      [parseReserveReply, ['RESERVED', '1-0', '1-1']],
      [parseReserveReply, ['RESERVED', '1-0', '1-1', 'x']],
      [parseReserveReply, ['SOLD_OUT', '1', 'B']],
      [parseReserveReply, ['DUPLICATE', 'WEIRD', 'u', '', '', '']],
      [parseReserveReply, ['DUPLICATE', 'REFUSED', 'u', 'A:1', '', '1']],
      [parseReserveReply, ['MAYBE']],
      [parseReserveReply, [{}]],
      [parseReleaseReply, ['RELEASED', 'A:x', '1-0']],
      [parseDecideReply, ['PERHAPS', 'RESERVED', '']],
      [parseSettleReply, ['DONE']],
      [parseWarmUpReply, ['WARMED', 'lots']],
    ];
    for (const [parse, reply] of bad) assert.throws(() => parse(reply), StockScriptError, JSON.stringify(reply));
  });

  it('decodes Buffer and integer elements too (RESP3 or a Buffer client)', () => {
    assert.deepEqual(parseReserveReply([Buffer.from('NOT_WARMED'), 0, Buffer.from('A')]), { code: 'NOT_WARMED', index: 0, sku: 'A' });
  });
});
