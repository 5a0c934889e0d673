import assert from 'node:assert/strict';
import { commandName, parseKeyCount, readScripts } from '../../src/platform/lua-scripts';
import { projectPath } from '../../src/platform/paths';

describe('platform Lua script headers', () => {
  it('names commands in camelCase after the file', () => {
    assert.equal(commandName('reserve-stock.lua'), 'reserveStock');
    assert.equal(commandName('/x/lua/get-and-delete.lua'), 'getAndDelete');
  });

  it('reads a fixed key count and a variadic one', () => {
    assert.equal(parseKeyCount('--[[ doc\n  KEYS: 2\n  KEYS[1] a\n]]\nreturn KEYS[2]', 'f'), 2);
    assert.equal(parseKeyCount('--[[\n KEYS: variadic (1 + n)\n]]\nreturn #KEYS', 'f'), 'variable');
    assert.equal(parseKeyCount('--[==[\n KEYS: 0\n]==]\nreturn 1', 'f'), 0);
  });

  it('rejects a missing header, a missing KEYS line and a stale count', () => {
    assert.throws(() => parseKeyCount('return 1', 'a.lua'), /a\.lua: must open with a --\[\[/);
    assert.throws(() => parseKeyCount('--[[ no count ]]\nreturn 1', 'b.lua'), /b\.lua: doc block needs a line "KEYS: <n>"/);
    assert.throws(() => parseKeyCount('--[[\nKEYS: 1\n]]\nreturn KEYS[2]', 'c.lua'), /c\.lua: uses KEYS\[2\] but declares KEYS: 1/);
  });

  it('every script in lua/ has a valid header', () => {
    assert.doesNotThrow(() => readScripts(projectPath('lua')));
  });
});
