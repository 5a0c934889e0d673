--[[
  Count one more unpaid order cancelled by timeout against a user ("frequent non-payer" tag). The
  count lives for a window measured from the latest cancel.

  KEYS: 1
    KEYS[1]  flash:{<user>}:nonpay   string counter
  ARGV:
    [1] window (ms, >= 1)
  Returns the count after the increment
]]
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n
