--[[
  Consume a flash-sale purchase token (anti-resubmit): compare and delete in one step, so of two
  requests carrying the same token exactly one gets it. The stored value is "<token>", or
  "<token> <pending>" after flash-restore-token put it back with the "<order id> <created at ms>" of
  an attempt that failed undecided (the retry reuses that id; Reserve's per-order dedup answers it).

  KEYS: 1
    KEYS[1]  flash:{<user>}:token:<product>   string: the live token of this user and item
  ARGV:
    [1] the token presented by Buy
  Returns {1, ms the token had left, pending or ''} taken (now deleted)
        | {0} no live token (never issued, expired or already used)
        | {-1} another token is live (this one is stale or forged; the live one is kept)
]]
local live = redis.call('GET', KEYS[1])
if not live then return {0} end
local sp = string.find(live, ' ', 1, true)
local token, pending = live, ''
if sp then
  token = string.sub(live, 1, sp - 1)
  pending = string.sub(live, sp + 1)
end
if token ~= ARGV[1] then return {-1} end
local left = redis.call('PTTL', KEYS[1])
redis.call('DEL', KEYS[1])
return {1, left, pending}
