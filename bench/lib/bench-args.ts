// The command line every bench shares: --help, --quick (a smoke run that writes nothing unless --write),
// --write|--no-write, --output FILE, plus the bench's own value flags, read as range-checked integers.
// A bad value throws a RangeError naming the flag, its range and the bench's usage text.
import { parseArgs } from 'node:util';

export interface BenchArgs<F extends string> {
  readonly help: boolean;
  readonly quick: boolean;
  /** Write the BENCHMARKS.md section: --no-write wins, else --write, else yes unless --quick. */
  readonly write: boolean;
  /** --output, or the bench's default. */
  readonly output: string;
  /** --<name> as an integer in [min, max], or `fallback` when absent. */
  int(name: F, fallback: number, min: number, max: number): number;
  /** --<name> as comma-separated integers, each in [min, max], or `fallback` when absent. */
  ints(name: F, fallback: readonly number[], min: number, max: number): readonly number[];
  /** --<name> as given, or undefined. */
  string(name: F): string | undefined;
}

export interface BenchArgsSpec<F extends string> {
  /** The bench's own value flags (each takes one argument). */
  readonly flags: readonly F[];
  readonly usage: string;
  readonly defaultOutput: string;
}

export function parseBenchArgs<F extends string>(argv: readonly string[], spec: BenchArgsSpec<F>): BenchArgs<F> {
  const options: Record<string, { type: 'boolean' | 'string'; default?: boolean }> = {
    help: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean' },
    'no-write': { type: 'boolean' },
    output: { type: 'string' },
  };
  for (const flag of spec.flags) options[flag] = { type: 'string' };
  const { values } = parseArgs({ args: [...argv], strict: true, options });
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const int = (name: string, raw: string, min: number, max: number): number => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new RangeError(`--${name} must be an integer ${min}-${max}, got ${raw}\n${spec.usage}`);
    return n;
  };
  const quick = values.quick === true;
  return {
    help: values.help === true,
    quick,
    write: values['no-write'] === true ? false : ((values.write as boolean | undefined) ?? !quick),
    output: str('output') ?? spec.defaultOutput,
    int: (name, fallback, min, max) => {
      const raw = str(name);
      return raw === undefined ? fallback : int(name, raw, min, max);
    },
    ints: (name, fallback, min, max) => {
      const raw = str(name);
      return raw === undefined ? fallback : raw.split(',').map(r => int(name, r.trim(), min, max));
    },
    string: str,
  };
}
