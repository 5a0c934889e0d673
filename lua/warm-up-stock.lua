--[[
  Load one item's stock and per-user limit from MySQL figures into Redis.
  Refuses while the item has stock-change records not yet applied to MySQL (seq ~= synced), and when
  anything was applied (or the item appeared) since the caller read its token, i.e. since before it
  read MySQL: then the MySQL figures may be older than Redis and would resurrect sold stock.

  KEYS: 1
    KEYS[1]  {inv:N}:item:<sku>   hash stock, limit, seq, synced, warmed_at
  ARGV:
    [1] stock   [2] per-user limit (0 = none)
    [3] token "<1 if the item had stock, else 0>:<synced>", read before MySQL was read
    [4] now (ms)
  Returns {'WARMED', previous stock or ''} | {'UNSYNCED', seq, synced} | {'STALE', current token}
]]
local v = redis.call('HMGET', KEYS[1], 'stock', 'seq', 'synced')
local seq, synced = tonumber(v[2] or '0'), tonumber(v[3] or '0')
if seq ~= synced then return {'UNSYNCED', tostring(seq), tostring(synced)} end
local present = '0'
if v[1] then present = '1' end
local token = present .. ':' .. tostring(synced)
if token ~= ARGV[3] then return {'STALE', token} end
redis.call('HSET', KEYS[1], 'stock', ARGV[1], 'limit', ARGV[2], 'seq', tostring(seq),
  'synced', tostring(synced), 'warmed_at', ARGV[4])
return {'WARMED', v[1] or ''}
