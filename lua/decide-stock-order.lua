--[[
  The commit point of a cross-shard order, run on its HOME shard (the last of its shards).
  The home part is reserved and committed in one script, so a home record in RESERVED or RELEASED
  means committed. With no record yet, write an ABORTED tombstone: from then on the coordinator's
  commit finds a record (DUPLICATE) and cannot commit, so deciding ABORTED is final. Idempotent.

  KEYS: 1
    KEYS[1]  {inv:H}:resv:<order>   the home record
  ARGV:
    [1] now (ms)   [2] ttl ms of a tombstone (0 = none)
  Returns {decision, state, outcome}: decision COMMITTED | ABORTED | UNDECIDED (a HELD home: not a home)
]]
local rec = redis.call('HMGET', KEYS[1], 'state', 'outcome')
local state = rec[1]
if not state then
  redis.call('HSET', KEYS[1], 'state', 'ABORTED', 'reason', 'ABANDONED', 'ts', ARGV[1])
  local ttl = tonumber(ARGV[2])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
  return {'ABORTED', 'ABORTED', ''}
end
if state == 'RESERVED' or state == 'RELEASED' then return {'COMMITTED', state, ''} end
if state == 'HELD' then return {'UNDECIDED', state, ''} end
return {'ABORTED', state, rec[2] or ''}
