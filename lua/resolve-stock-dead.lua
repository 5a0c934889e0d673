--[[
  Operator reconcile (scripts/stock-reconcile.ts): one dead-lettered stock-change entry is dealt with
  (its deltas re-driven into MySQL, or accepted as lost), so its dead copy goes and its items count it
  as synced at last. XDEL answers 1 only for the caller that removed the copy, so two reconciles
  racing count it once. Items whose hash is missing are not counted and not created.

  KEYS: variadic (1 + item count)
    KEYS[1]    {inv:N}:stream:stock:dead
    KEYS[1+j]  {inv:N}:item:<sku_j>   every item the entry names, once each
  ARGV:
    [1] dead-stream id of the entry's copy
  Returns 1 when this call removed the copy and counted it, else 0.
]]
if redis.call('XDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
for j = 2, #KEYS do
  if redis.call('EXISTS', KEYS[j]) == 1 then redis.call('HINCRBY', KEYS[j], 'synced', 1) end
end
return 1
