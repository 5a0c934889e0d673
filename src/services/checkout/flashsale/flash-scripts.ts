// The flash-sale Lua scripts of lua/ (flash-*.lua), loaded through the shared loader. Each touches one
// buyer's keys only (one hash tag), so they run unchanged on Redis Cluster.
import { defineScripts, type ScriptArg } from '../../../platform/lua-scripts';
import type { RedisClient } from '../../../platform/redis';

/** Replies as the scripts' headers document them. */
export type FlashScriptReplies = {
  flashTakeToken: [1, number, string] | [0] | [-1];
  flashRestoreToken: number;
  flashClearUnpaid: number;
  flashMarkNonPayer: number;
};

export type FlashScriptName = keyof FlashScriptReplies;

export interface FlashScripts {
  run<K extends FlashScriptName>(name: K, keys: readonly string[], args: readonly ScriptArg[]): Promise<FlashScriptReplies[K]>;
}

const NAMES: readonly FlashScriptName[] = ['flashTakeToken', 'flashRestoreToken', 'flashClearUnpaid', 'flashMarkNonPayer'];

export function createFlashScripts(redis: RedisClient, dir?: string): FlashScripts {
  const scripts = defineScripts<FlashScriptReplies>(redis, dir);
  // Fail at start-up, not on the first Buy, when a script is missing.
  for (const name of NAMES) scripts.info(name);
  return { run: (name, keys, args) => scripts.run(name, keys, args) };
}
