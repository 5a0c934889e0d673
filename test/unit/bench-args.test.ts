// The command line all benches share (bench/lib/bench-args.ts): write/quick rules, range-checked
// integers with the bench's usage in the error, comma lists, unknown flags refused.
import assert from 'node:assert/strict';
import { parseBenchArgs } from '../../bench/lib/bench-args';

const spec = { usage: 'usage: bench [--n N] [--list A,B]', defaultOutput: 'B.md', flags: ['n', 'list', 'dir'] as const };
const parse = (...argv: string[]) => parseBenchArgs(argv, spec);

describe('bench args', () => {
  it('writes on a full run, not on --quick unless --write; --no-write always wins', () => {
    assert.equal(parse().write, true);
    assert.equal(parse('--quick').write, false);
    assert.equal(parse('--quick', '--write').write, true);
    assert.equal(parse('--write', '--no-write').write, false);
  });

  it('--output overrides the default; --help and --quick are read', () => {
    assert.equal(parse().output, 'B.md');
    assert.equal(parse('--output', 'X.md').output, 'X.md');
    assert.deepEqual([parse('--help').help, parse('--quick').quick, parse().help], [true, true, false]);
  });

  it('integers: fallback when absent, bounds inclusive, anything else refused with the usage', () => {
    assert.equal(parse().int('n', 7, 1, 10), 7);
    assert.equal(parse('--n', '10').int('n', 7, 1, 10), 10);
    for (const bad of ['0', '11', '2.5', 'x', '']) {
      assert.throws(() => parse('--n', bad).int('n', 7, 1, 10), (e: unknown) => {
        assert.ok(e instanceof RangeError);
        assert.equal(e.message, `--n must be an integer 1-10, got ${bad}\n${spec.usage}`);
        return true;
      });
    }
  });

  it('integer lists: comma-separated, trimmed, each checked', () => {
    assert.deepEqual(parse().ints('list', [1, 2], 1, 100), [1, 2]);
    assert.deepEqual(parse('--list', '5, 7').ints('list', [1], 1, 100), [5, 7]);
    assert.throws(() => parse('--list', '5,,7').ints('list', [1], 1, 100), /--list must be an integer 1-100, got \n/);
    assert.throws(() => parse('--list', '5,101').ints('list', [1], 1, 100), /got 101/);
  });

  it('strings as given; unknown flags and positionals refused', () => {
    assert.equal(parse('--dir', '/tmp/p').string('dir'), '/tmp/p');
    assert.equal(parse().string('dir'), undefined);
    assert.throws(() => parse('--bogus'), /Unknown option '--bogus'/);
    assert.throws(() => parse('positional'), /Unexpected argument 'positional'/);
  });
});
