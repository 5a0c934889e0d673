import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../src/platform/errors';
import { ADD_ITEM_LUA } from '../../src/services/cart/add-item-script';
import { MAX_ID_LENGTH, MAX_LINE_QUANTITY, checkProductId, checkQuantity, checkUserId } from '../../src/services/cart/validate';

const fails = (fn: () => unknown, field: string): void => {
  assert.throws(fn, (e: unknown) => e instanceof InvalidArgumentError && e.field === field);
};

describe('cart request validation', () => {
  it('user_id: required and bounded', () => {
    assert.equal(checkUserId('u-1'), 'u-1');
    fails(() => checkUserId(''), 'user_id');
    fails(() => checkUserId('x'.repeat(MAX_ID_LENGTH + 1)), 'user_id');
    assert.equal(checkUserId('x'.repeat(MAX_ID_LENGTH)).length, MAX_ID_LENGTH);
  });

  it('item.product_id: required and bounded', () => {
    assert.equal(checkProductId('OLJCESPC7Z'), 'OLJCESPC7Z');
    fails(() => checkProductId(''), 'item.product_id');
    fails(() => checkProductId('p'.repeat(MAX_ID_LENGTH + 1)), 'item.product_id');
  });

  it('item.quantity: a positive int32', () => {
    assert.equal(checkQuantity(1), 1);
    assert.equal(checkQuantity(MAX_LINE_QUANTITY), MAX_LINE_QUANTITY);
    for (const q of [0, -1, 1.5, Number.NaN, MAX_LINE_QUANTITY + 1]) fails(() => checkQuantity(q), 'item.quantity');
  });

  it('the AddItem script touches only KEYS[1] (one Cluster slot)', () => {
    assert.deepEqual([...new Set(ADD_ITEM_LUA.match(/KEYS\[\d+\]/g))], ['KEYS[1]']);
  });
});
