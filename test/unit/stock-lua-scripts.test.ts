import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseKeyCount, commandName } from '../../src/platform/lua-scripts';
import { projectPath } from '../../src/platform/paths';
import { STOCK_SCRIPTS } from '../../src/services/productcatalog/stock/stock-scripts';

describe('stock Lua scripts', () => {
  for (const [file, command] of Object.entries(STOCK_SCRIPTS)) {
    it(`${file}.lua: loader header, KEYS/ARGV/Returns documented, no key built inside Lua`, () => {
      const path = projectPath('lua', `${file}.lua`);
      const lua = readFileSync(path, 'utf8');
      assert.equal(commandName(`${file}.lua`), command);
      const keys = parseKeyCount(lua, path);
      const header = /^--\[\[([\s\S]*?)\]\]/.exec(lua)![1]!;
      assert.match(header, /ARGV:/);
      assert.match(header, /Returns/);
      if (keys !== 'variable') for (let i = 1; i <= keys; i++) assert.match(header, new RegExp(`KEYS\\[${i}\\]`));
      const body = lua.slice(lua.indexOf(']]') + 2).replace(/--[^\n]*/g, '');
      // every key must come through KEYS (cluster routing, keyPrefix): no key name literal in the body
      assert.doesNotMatch(body, /\{inv:|:item:|:resv:/);
      assert.doesNotMatch(body, /MAXLEN|MINID/, 'streams are trimmed by acked position elsewhere, never here');
      // only reservation records expire; items, buyers and streams never do (seckill.md 1.11 d)
      for (const m of body.matchAll(/'P?EXPIRE'\s*,\s*([^,)]+)/g)) assert.match(m[1]!.trim(), /^(resv|KEYS\[1\])$/);
    });
  }
});
