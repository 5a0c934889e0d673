--[[
  Move stock-change entries the write-behind worker gives up on (unreadable, or refused by MySQL too
  often) to the dead stream with the reason, and XACK them, without counting them as synced: their
  items stay un-synced and warm-up refuses them until an operator reconciles them
  (scripts/stock-reconcile.ts re-drives or resolves the dead copy, and only then counts it).
  The entry is marked settled, so it never gets a second dead copy and a later redelivery that
  applies it (group rewind) does not count it either: its one dead copy is what reconcile counts.
  An entry already settled (applied and counted, or dead before) is only XACKed.

  KEYS: 5
    KEYS[1]  {inv:N}:stream:stock
    KEYS[2]  {inv:N}:stream:stock:dead            the dead stream
    KEYS[3]  {inv:N}:stream:stock:attempts        hash id -> rejections (cleared for these ids)
    KEYS[4]  {inv:N}:stream:stock:settled         zset id -> ms part of the id
    KEYS[5]  {inv:N}:stream:stock:settled-floor   stream id or missing
  ARGV:
    [1] consumer group   [2] now (ms)   [3] consumer name   [4] e = number of entries,
    then per entry: id, reason, attempts, n = number of field items, then the n original field items
  Returns {dead, skipped}: entries copied to the dead stream, entries only acked (already settled).
]]
local function cmpPart(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end
local function below(id, floor)
  if not floor then return false end
  local ams, aseq = string.match(id, '^(%d+)-(%d+)$')
  local fms, fseq = string.match(floor, '^(%d+)-(%d+)$')
  if not ams or not fms then error('bad stream id ' .. id .. ' or floor ' .. floor) end
  local c = cmpPart(ams, fms)
  if c == 0 then c = cmpPart(aseq, fseq) end
  return c < 0
end

local group, now, consumer = ARGV[1], ARGV[2], ARGV[3]
local floor = redis.call('GET', KEYS[5])
local pos, dead, skipped = 5, 0, 0
for _ = 1, tonumber(ARGV[4]) do
  local id, reason, attempts, n = ARGV[pos], ARGV[pos + 1], ARGV[pos + 2], tonumber(ARGV[pos + 3])
  local ms = string.match(id, '^(%d+)-%d+$')
  if not ms then error('bad stream id ' .. id) end
  if below(id, floor) or redis.call('ZADD', KEYS[4], 'NX', ms, id) == 0 then
    skipped = skipped + 1
  else
    local entry = {'dead_source', KEYS[1], 'dead_id', id, 'dead_group', group, 'dead_reason', reason,
      'dead_attempts', attempts, 'dead_at', now, 'dead_by', consumer}
    -- the original fields, untouched, after ours (a source field may itself be called "reason")
    for i = 1, n do entry[#entry + 1] = ARGV[pos + 3 + i] end
    redis.call('XADD', KEYS[2], '*', unpack(entry))
    dead = dead + 1
  end
  redis.call('XACK', KEYS[1], group, id)
  redis.call('HDEL', KEYS[3], id)
  pos = pos + 4 + n
end
return {dead, skipped}
