// Loads lua/*.lua as ioredis custom commands (EVALSHA, falling back to EVAL after a SCRIPT FLUSH).
//
// File convention: `lua/<kebab-name>.lua` becomes command `<camelName>`. The script must open with a
// `--[[ ... ]]` doc block that contains a line `KEYS: <n>` (fixed key count) or `KEYS: variadic ...`
// (the caller's key list varies, e.g. one key per order line; text after the word is free), followed
// by its KEYS[i]/ARGV[i] docs:
//
//   --[[ Reserve every line of an order or none.
//   KEYS: 2
//     KEYS[1] {p:sku}:stock
//     KEYS[2] {p:sku}:buyers
//     ARGV[1] order id
//   Returns: 1 reserved, 0 sold out ]]
//
// A fixed count is checked against the KEYS[i] the script body uses, so a stale header fails at load.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RedisClient } from './redis';
import { projectPath } from './paths';

export type ScriptArg = string | number | Buffer;

export interface ScriptInfo {
  /** Command name, camelCase of the file name. */
  readonly name: string;
  readonly file: string;
  readonly numberOfKeys: number | 'variable';
  readonly lua: string;
  /** SHA1 of the source, as EVALSHA/redis-benchmark need it. */
  readonly sha: string;
}

/** Results declared per script by the caller, e.g. `Scripts<{ reserveStock: [number, string] }>`. */
export interface Scripts<M extends Record<string, unknown>> {
  run<K extends keyof M & string>(name: K, keys: readonly string[], args?: readonly ScriptArg[]): Promise<M[K]>;
  info(name: keyof M & string): ScriptInfo;
  readonly names: readonly string[];
}

export function commandName(file: string): string {
  return basename(file, '.lua').replace(/[-_]+([a-z0-9])/gi, (_, c: string) => c.toUpperCase());
}

/** Reads the `KEYS:` line of the opening doc block and cross-checks it against the body. */
export function parseKeyCount(lua: string, file: string): number | 'variable' {
  const header = /^\s*--\[(=*)\[([\s\S]*?)\]\1\]/.exec(lua);
  if (!header) throw new Error(`${file}: must open with a --[[ ... ]] doc block`);
  const m = /^\s*KEYS:\s*(?:(\d+)\s*$|(variadic|variable)\b)/m.exec(header[2] as string);
  if (!m) throw new Error(`${file}: doc block needs a line "KEYS: <n>" or "KEYS: variadic ..."`);
  if (m[2]) return 'variable';
  const n = Number(m[1]);
  const body = lua.slice(header[0].length);
  for (const ref of body.matchAll(/KEYS\[(\d+)\]/g)) {
    if (Number(ref[1]) > n) throw new Error(`${file}: uses KEYS[${ref[1]}] but declares KEYS: ${n}`);
  }
  return n;
}

export function readScripts(dir: string): ScriptInfo[] {
  return readdirSync(dir)
    .filter(f => f.endsWith('.lua'))
    .sort()
    .map(f => {
      const file = join(dir, f);
      const lua = readFileSync(file, 'utf8');
      return {
        name: commandName(f),
        file,
        numberOfKeys: parseKeyCount(lua, file),
        lua,
        sha: createHash('sha1').update(lua).digest('hex'),
      };
    });
}

type CommandFn = (...args: ScriptArg[]) => Promise<unknown>;

/** Names this module defined per client, so defining twice is fine but shadowing ioredis is not. */
const defined = new WeakMap<RedisClient, Set<string>>();

/** Defines every script in `dir` (default lua/) on the client and returns a typed runner. */
export function defineScripts<M extends Record<string, unknown> = Record<string, unknown>>(
  redis: RedisClient,
  dir: string = projectPath('lua'),
): Scripts<M> {
  const infos = new Map<string, ScriptInfo>();
  const ours = defined.get(redis) ?? new Set<string>();
  defined.set(redis, ours);
  for (const info of readScripts(dir)) {
    if (info.name in redis && !ours.has(info.name)) {
      throw new Error(`${info.file}: command name ${info.name} clashes with an ioredis method`);
    }
    ours.add(info.name);
    redis.defineCommand(info.name, {
      lua: info.lua,
      ...(info.numberOfKeys === 'variable' ? {} : { numberOfKeys: info.numberOfKeys }),
    });
    infos.set(info.name, info);
  }
  const get = (name: string): ScriptInfo => {
    const info = infos.get(name);
    if (!info) throw new Error(`no Lua script ${name} in ${dir}`);
    return info;
  };
  return {
    names: [...infos.keys()],
    info: get,
    async run(name, keys, args = []) {
      const info = get(name);
      const fn = (redis as unknown as Record<string, CommandFn>)[name] as CommandFn;
      if (info.numberOfKeys === 'variable') return (await fn.call(redis, keys.length, ...keys, ...args)) as never;
      if (keys.length !== info.numberOfKeys) {
        throw new Error(`${name}: expects ${info.numberOfKeys} keys, got ${keys.length}`);
      }
      return (await fn.call(redis, ...keys, ...args)) as never;
    },
  };
}
