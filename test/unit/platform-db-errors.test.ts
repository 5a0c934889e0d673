import assert from 'node:assert/strict';
import { classifyDbError, dbErrorReason } from '../../src/platform/db-errors';

const sqlErr = (errno: number, code: string, sqlMessage = 'boom') => Object.assign(new Error(sqlMessage), { errno, code, sqlMessage });
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: UPDATE ...'), { cause });

describe('workers: MySQL error classification', () => {
  it('row-content errors are data errors, also when wrapped by drizzle', () => {
    assert.equal(classifyDbError(sqlErr(1406, 'ER_DATA_TOO_LONG')), 'data');
    assert.equal(classifyDbError(wrapped(sqlErr(1690, 'ER_DATA_OUT_OF_RANGE'))), 'data');
  });

  it('outages, locks, grants and anything unknown are transient (never poison)', () => {
    const cases = [
      Object.assign(new Error('connect ECONNREFUSED'), { errno: -111, code: 'ECONNREFUSED' }),
      Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST', fatal: true }),
      sqlErr(1213, 'ER_LOCK_DEADLOCK'),
      sqlErr(1205, 'ER_LOCK_WAIT_TIMEOUT'),
      sqlErr(1142, 'ER_TABLEACCESS_DENIED_ERROR'),
      sqlErr(1045, 'ER_ACCESS_DENIED_ERROR'),
      sqlErr(1146, 'ER_NO_SUCH_TABLE'),
      new Error('something else'),
      'a string',
    ];
    for (const c of cases) assert.equal(classifyDbError(wrapped(c)), 'transient', String(c));
  });

  it('reasons carry the driver code and message, not the SQL', () => {
    assert.equal(dbErrorReason(wrapped(sqlErr(1406, 'ER_DATA_TOO_LONG', "Data too long for column 'reason'"))), "ER_DATA_TOO_LONG: Data too long for column 'reason'");
  });
});
