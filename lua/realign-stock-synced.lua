--[[
  Operator reconcile (scripts/stock-reconcile.ts): set an item's synced counter to its seq once the
  operator checked that nothing of it is in flight (no entry naming it pending, undelivered or
  unapplied in the live stream, none left in the dead stream) and that Redis and MySQL agree.
  Compare-and-set on the figures read before those checks: if a stock-change record was written or
  counted since, the item is left alone (STALE) and the checks must be redone.

  KEYS: 1
    KEYS[1]  {inv:N}:item:<sku>
  ARGV:
    [1] seq read before the checks   [2] synced read before the checks
  Returns {'REALIGNED', previous synced, seq} | {'STALE', seq, synced} | {'MISSING'}
]]
if redis.call('EXISTS', KEYS[1]) == 0 then return {'MISSING'} end
local v = redis.call('HMGET', KEYS[1], 'seq', 'synced')
local seq, synced = v[1] or '0', v[2] or '0'
if seq ~= ARGV[1] or synced ~= ARGV[2] then return {'STALE', seq, synced} end
redis.call('HSET', KEYS[1], 'synced', seq)
return {'REALIGNED', synced, seq}
