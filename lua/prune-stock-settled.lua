--[[
  Keep a stock stream's settled set bounded: raise the settled floor to the trim floor (the first id
  some consumer group still needs; every id below it was acked by the write-behind group, hence
  settled) and drop the set's members below it. Ids below the floor count as settled from now on, so
  an old entry that comes back (stream recreated with the same ids) is never counted again.
  The floor only moves up (replicas may prune concurrently with different floors).

  KEYS: 2
    KEYS[1]  {inv:N}:stream:stock:settled         zset id -> ms part of the id
    KEYS[2]  {inv:N}:stream:stock:settled-floor   stream id or missing
  ARGV:
    [1] trim floor (stream id)
  Returns {floor now in force, members removed}
]]
local function cmpPart(a, b)
  if #a ~= #b then return #a < #b and -1 or 1 end
  if a == b then return 0 end
  return a < b and -1 or 1
end
local function parse(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  if not ms then error('bad stream id ' .. id) end
  return ms, seq
end

local floor = ARGV[1]
local fms, fseq = parse(floor)
local current = redis.call('GET', KEYS[2])
if current then
  local cms, cseq = parse(current)
  local c = cmpPart(cms, fms)
  if c == 0 then c = cmpPart(cseq, fseq) end
  if c >= 0 then
    floor, fms = current, cms
  end
end
redis.call('SET', KEYS[2], floor)
-- By the ms part only: members in the floor's own millisecond stay until a later pass (still exact:
-- they are below the floor and the check above treats them as settled anyway).
local removed = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. fms)
return {floor, removed}
