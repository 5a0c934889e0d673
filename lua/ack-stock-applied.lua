--[[
  Acknowledge stock-change records that the write-behind worker has applied to MySQL, and count each
  of them ONCE on its items' synced counters, so per item seq - synced is exactly the number of its
  stock-change records not yet in MySQL (warm-up refuses while that is not zero).
  "Once" is kept by the stream's settled set, not by XACK's answer: XACK answers 1 again when an entry
  lives a second time in the pending list (XGROUP SETID rewind, group or stream recreated with the same
  ids). An entry counts only when its id is at or above the settled floor and ZADD NX adds it to the set;
  the trimmer prunes the set up to the floor (prune-stock-settled.lua). See stock/settled-ids.ts.
  An item whose hash is missing is not counted and never created (its seq went with it).
  Entries dead-lettered without being applied go through dead-letter-stock.lua instead.

  KEYS: variadic (3 + item count)
    KEYS[1]    {inv:N}:stream:stock
    KEYS[2]    {inv:N}:stream:stock:settled         zset id -> ms part of the id
    KEYS[3]    {inv:N}:stream:stock:settled-floor   stream id or missing
    KEYS[3+j]  {inv:N}:item:<sku_j>   every item named by the entries below, once each
  ARGV:
    [1] consumer group   [2] e = number of entries,
    then per entry: id, k = number of its items, then k indexes j into KEYS[3+j]
  Returns {acked, counted}: entries XACKed by this call, entries counted on their items by this call.
]]
-- Canonical stream ids ("<ms>-<seq>", no leading zeros) compared exactly, part by part.
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

local group = ARGV[1]
local floor = redis.call('GET', KEYS[3])
local exists = {}
local pos, acked, counted = 3, 0, 0
for _ = 1, tonumber(ARGV[2]) do
  local id, k = ARGV[pos], tonumber(ARGV[pos + 1])
  acked = acked + redis.call('XACK', KEYS[1], group, id)
  local ms = string.match(id, '^(%d+)-%d+$')
  if not ms then error('bad stream id ' .. id) end
  if not below(id, floor) and redis.call('ZADD', KEYS[2], 'NX', ms, id) == 1 then
    counted = counted + 1
    for j = 1, k do
      local key = KEYS[3 + tonumber(ARGV[pos + 1 + j])]
      if exists[key] == nil then exists[key] = redis.call('EXISTS', key) == 1 end
      if exists[key] then redis.call('HINCRBY', key, 'synced', 1) end
    end
  end
  pos = pos + 2 + k
end
return {acked, counted}
