--[[ Write an order's buyer-facing result (the polling target) unless a newer one is stored, and
  announce it on the order's pub/sub channel (WatchOrder). Writers race (two replicas, a transition
  committed right after another): the version makes the newest committed state win, and the
  announcements of one key go out in increasing version order.
  KEYS: 1
    KEYS[1] order:{<id>}:result   hash
    ARGV[1] version: -1 accepted (IN_PROGRESS), 0 created or failed, n after n transitions
    ARGV[2] ttl ms
    ARGV[3] pub/sub channel
    ARGV[4] message published on the channel
    ARGV[5..] field, value, field, value ...
  Returns 1 written, 0 stale (an equal or newer version is stored) ]]
local cur = redis.call('HGET', KEYS[1], 'version')
if cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
-- Replace the whole hash: a field of an older state (a reason) must not linger.
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'version', ARGV[1], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
