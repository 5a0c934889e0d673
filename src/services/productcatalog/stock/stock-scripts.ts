// The stock scripts of lua/, registered through the shared loader (platform/lua-scripts.ts:
// lua/<kebab>.lua -> command <camelCase>, key count from the KEYS: header). ioredis sends EVALSHA and
// falls back to EVAL after a SCRIPT FLUSH or on a new connection.
import { defineScripts, type ScriptArg, type ScriptInfo } from '../../../platform/lua-scripts';
import type { RedisClient } from '../../../platform/redis';

export type { RedisClient, ScriptArg };

/** File names (without .lua) and the command names the loader gives them. */
export const STOCK_SCRIPTS = {
  'reserve-stock': 'reserveStock',
  'release-stock': 'releaseStock',
  'settle-stock-part': 'settleStockPart',
  'decide-stock-order': 'decideStockOrder',
  'ack-stock-applied': 'ackStockApplied',
  'warm-up-stock': 'warmUpStock',
  'dead-letter-stock': 'deadLetterStock',
  'prune-stock-settled': 'pruneStockSettled',
  'resolve-stock-dead': 'resolveStockDead',
  'realign-stock-synced': 'realignStockSynced',
} as const;

export type StockScriptName = keyof typeof STOCK_SCRIPTS;

export interface StockScripts {
  run(name: StockScriptName, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown>;
  info(name: StockScriptName): ScriptInfo;
}

export function createStockScripts(redis: RedisClient, dir?: string): StockScripts {
  const scripts = defineScripts(redis, dir);
  // Fail at start-up, not on the first order, when a stock script is missing.
  for (const command of Object.values(STOCK_SCRIPTS)) scripts.info(command);
  return {
    run: (name, keys, args) => scripts.run(STOCK_SCRIPTS[name], keys, args),
    info: name => scripts.info(STOCK_SCRIPTS[name]),
  };
}
