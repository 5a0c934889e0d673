--[[ Apply a stock change made directly in MySQL (an operator's edit, seen in the binlog) to an item whose
  Redis stock is live and ahead of MySQL (stock-change records still in flight), exactly once per change
  event. No stock-change record is written: MySQL already has this change.
  KEYS: 2
    KEYS[1] {inv:N}:item:<sku>        hash stock, seq, synced, warmed_at (stock/DESIGN.md)
    KEYS[2] {inv:N}:cdc-adj:<event>   marker: this change event was settled
    ARGV[1] delta (integer, may be negative)
    ARGV[2] commit time of the change, ms, rounded DOWN to the binlog's whole second
    ARGV[3] marker ttl ms
  Returns {'DUPLICATE'} | {'NOT_WARMED'} | {'COVERED', stock} (warmed at/after the commit: the warm-up
  may already hold it) | {'APPLIED', stock} | {'CLAMPED', stock, shortfall} ]]
if redis.call('EXISTS', KEYS[2]) == 1 then return {'DUPLICATE'} end
local v = redis.call('HMGET', KEYS[1], 'stock', 'warmed_at')
if not v[1] then return {'NOT_WARMED'} end
local stock = tonumber(v[1])
local warmed = tonumber(v[2] or '0') or 0
redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
if warmed >= tonumber(ARGV[2]) then return {'COVERED', tostring(stock)} end
local after = stock + tonumber(ARGV[1])
if after < 0 then
  redis.call('HSET', KEYS[1], 'stock', '0')
  return {'CLAMPED', '0', tostring(-after)}
end
redis.call('HSET', KEYS[1], 'stock', tostring(after))
return {'APPLIED', tostring(after)}
