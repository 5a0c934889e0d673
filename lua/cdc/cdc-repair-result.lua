--[[ Repair a buyer's result key from the order row as the binlog shows it (the CDC path). Same hash and
  channel as lua/order/result-write.lua; the difference: a change at the SAME version whose status differs
  also wins, because a manual SQL fix may change the status without bumping orders.version.
  A newer version is never overwritten.
  KEYS: 1
    KEYS[1] order:{<id>}:result   hash
    ARGV[1] version
    ARGV[2] ttl ms
    ARGV[3] pub/sub channel
    ARGV[4] message published on the channel
    ARGV[5] status
    ARGV[6..] field, value, field, value ... (must include 'status')
  Returns 1 written, 0 unchanged (newer version, or same version and status) ]]
local cur = redis.call('HMGET', KEYS[1], 'version', 'status', 'state')
if cur[1] then
  local v, want = tonumber(cur[1]), tonumber(ARGV[1])
  if v > want then return 0 end
  if v == want and cur[2] == ARGV[5] then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'version', ARGV[1], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
