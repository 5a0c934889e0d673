--[[
  Give back the stock one order holds on ONE stock shard, exactly as its record says.
  The caller read the record's 'lines' first and built KEYS from them; ARGV[6] repeats those lines
  so a record that changed in between is detected (STALE) instead of restoring the wrong items.

  KEYS: variadic (3 + 2 * line count)
    KEYS[1]      {inv:N}:resv:<order>    reservation record
    KEYS[2]      {inv:N}:stream:stock    stock-change records
    KEYS[3]      {inv:N}:parts           zset of parts not yet committed
    KEYS[2+2i]   {inv:N}:item:<sku_i>    item of line i, lines in the order of the record's 'lines'
    KEYS[3+2i]   {inv:N}:buyers:<sku_i>  buyers of line i
  ARGV:
    [1] order id
    [2] mode: RELEASE (a committed order: RESERVED -> RELEASED)
              | ABORT (an uncommitted part: HELD -> ARGV[3])
    [3] ABORT only, final state of the part: ABORTED | REFUSED | DELETE (record removed: the order id may be retried)
    [4] reason written on the stock-change record   [5] now (ms)   [6] expected 'lines' of the record
    [7] REFUSED only, the refusal outcome to keep   [8] ttl ms of the final record (0 = leave as is)
    [9] trace context, opaque
  Returns an array of strings:
    {'RELEASED', lines, stock stream id}
    {'ALREADY', state}        RELEASE on a record that holds nothing (RELEASED, REFUSED, ABORTED)
    {'PART_PENDING', shards}  RELEASE on a HELD part: its order's commit must be decided first
    {'NOT_HELD', state}       ABORT on a record that is not HELD
    {'UNKNOWN'}               no record
    {'STALE', lines}          the record's lines differ from ARGV[6]
]]
local resv, stockStream, parts = KEYS[1], KEYS[2], KEYS[3]
local order, mode = ARGV[1], ARGV[2]

local rec = redis.call('HMGET', resv, 'state', 'user', 'lines', 'shards')
local state = rec[1]
if not state then return {'UNKNOWN'} end
if mode == 'RELEASE' then
  if state == 'HELD' then return {'PART_PENDING', rec[4] or ''} end
  if state ~= 'RESERVED' then return {'ALREADY', state} end
elseif state ~= 'HELD' then
  return {'NOT_HELD', state}
end

local lines = rec[3] or ''
if lines ~= ARGV[6] then return {'STALE', lines} end
local parsed = {}
for sku, qty in string.gmatch(lines, '([^,:]+):(%d+)') do
  parsed[#parsed + 1] = {sku, tonumber(qty)}
end
if #KEYS ~= 3 + 2 * #parsed then
  return redis.error_reply('release-stock: ' .. #KEYS .. ' keys for ' .. #parsed .. ' lines')
end

local user = rec[2]
local deltas = {}
for i, line in ipairs(parsed) do
  local item, buyers = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local after = redis.call('HINCRBY', item, 'stock', line[2])
  redis.call('HINCRBY', item, 'seq', 1)
  if redis.call('HINCRBY', buyers, user, -line[2]) <= 0 then redis.call('HDEL', buyers, user) end
  deltas[i] = line[1] .. ':' .. line[2] .. ':' .. after
end

local id = redis.call('XADD', stockStream, '*', 'order', order, 'reason', ARGV[4], 'user', user,
  'lines', table.concat(deltas, ','), 'ts', ARGV[5], 'trace', ARGV[9])
redis.call('ZREM', parts, order)

local final = 'RELEASED'
if mode ~= 'RELEASE' then final = ARGV[3] end
if final == 'DELETE' then
  redis.call('DEL', resv)
else
  redis.call('HSET', resv, 'state', final, 'reason', ARGV[4], 'rts', ARGV[5])
  if final == 'REFUSED' then redis.call('HSET', resv, 'outcome', ARGV[7]) end
  local ttl = tonumber(ARGV[8])
  if ttl > 0 then redis.call('PEXPIRE', resv, ttl) end
end
return {'RELEASED', lines, id}
