--[[
  Acknowledge stock-change records that the write-behind worker has applied to MySQL, and count them
  as synced on their items. XACK answers 1 only the first time an entry leaves the pending list, so a
  redelivered (already acked) entry is never counted twice: per item, seq - synced is exactly the
  number of its stock-change records not yet in MySQL. Warm-up refuses while that is not zero.
  Entries dead-lettered without being applied must be acked with plain XACK: their items stay
  un-synced and warm-up keeps refusing until an operator reconciles them.

  KEYS: variadic (1 + item count)
    KEYS[1]    {inv:N}:stream:stock
    KEYS[1+j]  {inv:N}:item:<sku_j>   every item named by the entries below, once each
  ARGV:
    [1] consumer group   [2] e = number of entries,
    then per entry: id, k = number of its items, then k indexes j into KEYS[1+j]
  Returns the number of entries acknowledged by this call.
]]
local group = ARGV[1]
local pos, acked = 3, 0
for _ = 1, tonumber(ARGV[2]) do
  local id, k = ARGV[pos], tonumber(ARGV[pos + 1])
  local newly = redis.call('XACK', KEYS[1], group, id)
  if newly == 1 then
    for j = 1, k do redis.call('HINCRBY', KEYS[1 + tonumber(ARGV[pos + 1 + j])], 'synced', 1) end
  end
  acked = acked + newly
  pos = pos + 2 + k
end
return acked
