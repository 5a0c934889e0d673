--[[
  Mark one part of a cross-shard order committed (HELD -> RESERVED) once its home shard committed.
  Idempotent; also drops a stale entry from the parts zset whatever the record says.

  KEYS: 2
    KEYS[1]  {inv:N}:resv:<order>   the part's reservation record
    KEYS[2]  {inv:N}:parts          zset of parts not yet committed
  ARGV:
    [1] order id
  Returns {'SETTLED'} or {'NOOP', state or ''}
]]
local state = redis.call('HGET', KEYS[1], 'state')
redis.call('ZREM', KEYS[2], ARGV[1])
if state == 'HELD' then
  redis.call('HSET', KEYS[1], 'state', 'RESERVED')
  return {'SETTLED'}
end
return {'NOOP', state or ''}
