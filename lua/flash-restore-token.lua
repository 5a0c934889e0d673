--[[
  Put a consumed purchase token back after Buy failed before learning the inventory's answer, with
  the order id that attempt used: the buyer's retry with the same token reuses that id, so if the
  reservation did happen it is found (Reserve dedups by order id) instead of a second one being made.
  Never overwrites a newer token.

  KEYS: 1
    KEYS[1]  flash:{<user>}:token:<product>
  ARGV:
    [1] the token   [2] "<order id> <created at ms>" of the failed attempt   [3] remaining lifetime (ms, >= 1)
  Returns 1 restored | 0 left alone (a newer token is live)
]]
if redis.call('SET', KEYS[1], ARGV[1] .. ' ' .. ARGV[2], 'PX', ARGV[3], 'NX') then return 1 end
return 0
