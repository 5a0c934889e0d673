--[[
  Clear the "unpaid order for this item" mark of a user, but only if it still names this order: a
  late PAID/CANCELLED of an old order must not clear the mark of a newer one.

  KEYS: 1
    KEYS[1]  flash:{<user>}:unpaid:<product>   string: order id of the unpaid order
  ARGV:
    [1] order id
  Returns 1 cleared | 0 no mark, or it names another order
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
