--[[
  Reserve stock for one order on ONE stock shard: every line or none.
  All keys share the shard's hash tag {inv:N}, so the script runs on Redis Cluster.

  KEYS: variadic (4 + 2 * line count)
    KEYS[1]      {inv:N}:resv:<order>    reservation record (the idempotency record), hash
    KEYS[2]      {inv:N}:stream:orders   order-created records
    KEYS[3]      {inv:N}:stream:stock    stock-change records
    KEYS[4]      {inv:N}:parts           zset order -> ts of parts not yet committed
    KEYS[3+2i]   {inv:N}:item:<sku_i>    hash stock, limit, seq, synced, warmed_at
    KEYS[4+2i]   {inv:N}:buyers:<sku_i>  hash user -> quantity held
  ARGV:
    [1] order id   [2] user id   [3] now (ms)
    [4] mode: COMMIT (a whole order, or the last part of one: emits the order-created record)
              | PART (an earlier part of a cross-shard order: HELD until settled or aborted)
    [5] shards of the whole order, ascending csv ("3" or "3,7,12"); the last one is the home shard
    [6] every line of the whole order "sku:qty,..." (kept for DUPLICATE replies)
    [7] order payload, opaque (COMMIT only)   [8] trace context, opaque
    [9] ttl ms of a reservation record (0 = none)   [10] ttl ms of a refusal record (0 = refusals not recorded)
    [11] n = number of lines here, then per line i: [9+3i] sku, [10+3i] qty, [11+3i] index in the request
  Returns an array of strings:
    {'RESERVED', order stream id or '', stock stream id, stock after line 1, ..., after line n}
    {'DUPLICATE', state, user, all lines, stored outcome, shards}
    {'NOT_WARMED', index, sku}            (not recorded: warming the item makes a retry succeed)
    {'SOLD_OUT', index, sku, available}   (recorded as REFUSED)
    {'LIMIT_EXCEEDED', index, sku, limit, held}   (recorded as REFUSED)
  Never reads MySQL and never creates an item: a missing item is NOT_WARMED (seckill.md 1.11 d).
]]
local resv, ordersStream, stockStream, parts = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local order, user, now, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local n = tonumber(ARGV[11])

-- 1. idempotency: any record means this order id was decided before
local rec = redis.call('HMGET', resv, 'state', 'user', 'all', 'outcome', 'shards')
if rec[1] then
  return {'DUPLICATE', rec[1], rec[2] or '', rec[3] or '', rec[4] or '', rec[5] or ''}
end

local function refuse(reply)
  local ttl = tonumber(ARGV[10])
  if ttl > 0 then
    redis.call('HSET', resv, 'state', 'REFUSED', 'user', user, 'all', ARGV[6],
      'outcome', table.concat(reply, '|'), 'shards', ARGV[5], 'ts', now)
    redis.call('PEXPIRE', resv, ttl)
  end
  return reply
end

-- 2. check every line before writing anything (all or nothing)
local after = {}
for i = 1, n do
  local sku, qty, index = ARGV[9 + 3 * i], tonumber(ARGV[10 + 3 * i]), ARGV[11 + 3 * i]
  local item = redis.call('HMGET', KEYS[3 + 2 * i], 'stock', 'limit')
  if not item[1] then return {'NOT_WARMED', index, sku} end
  local stock = tonumber(item[1])
  if stock < qty then return refuse({'SOLD_OUT', index, sku, tostring(stock)}) end
  local limit = tonumber(item[2] or '0')
  if limit > 0 then
    local held = tonumber(redis.call('HGET', KEYS[4 + 2 * i], user) or '0')
    if held + qty > limit then
      return refuse({'LIMIT_EXCEEDED', index, sku, tostring(limit), tostring(held)})
    end
  end
  after[i] = stock - qty
end

-- 3. apply; seq counts stock-change records touching the item (synced catches up as MySQL applies them)
local deltas, lines = {}, {}
for i = 1, n do
  local sku, qty = ARGV[9 + 3 * i], tonumber(ARGV[10 + 3 * i])
  redis.call('HINCRBY', KEYS[3 + 2 * i], 'stock', -qty)
  redis.call('HINCRBY', KEYS[3 + 2 * i], 'seq', 1)
  redis.call('HINCRBY', KEYS[4 + 2 * i], user, qty)
  deltas[i] = sku .. ':-' .. qty .. ':' .. after[i]
  lines[i] = sku .. ':' .. qty
end

local state = 'RESERVED'
if mode == 'PART' then state = 'HELD' end
redis.call('HSET', resv, 'state', state, 'user', user, 'lines', table.concat(lines, ','),
  'all', ARGV[6], 'shards', ARGV[5], 'ts', now)
local ttl = tonumber(ARGV[9])
if ttl > 0 then redis.call('PEXPIRE', resv, ttl) end
if mode == 'PART' then redis.call('ZADD', parts, now, order) end

-- 4. the durable hand-off, in the same atomic step (no MAXLEN: trimming follows acked positions)
local stockId = redis.call('XADD', stockStream, '*', 'order', order, 'reason', 'RESERVE', 'user', user,
  'lines', table.concat(deltas, ','), 'ts', now, 'trace', ARGV[8])
local orderId = ''
if mode ~= 'PART' then
  orderId = redis.call('XADD', ordersStream, '*', 'order', order, 'user', user, 'lines', ARGV[6],
    'shards', ARGV[5], 'ts', now, 'payload', ARGV[7], 'trace', ARGV[8])
end

local reply = {'RESERVED', orderId, stockId}
for i = 1, n do reply[3 + i] = tostring(after[i]) end
return reply
