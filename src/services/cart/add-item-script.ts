/**
 * Adds to one cart line atomically and refreshes the cart's TTL, refusing a line that would outgrow int32.
 * KEYS: 1
 *   KEYS[1] cart:{<user_id>}  hash product_id → quantity
 * ARGV[1] product id   ARGV[2] quantity to add (> 0)   ARGV[3] max line quantity   ARGV[4] ttl seconds
 * Returns the new line quantity, or -1 (nothing changed) when it would exceed ARGV[3].
 */
export const ADD_ITEM_LUA = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local total = current + tonumber(ARGV[2])
if total > tonumber(ARGV[3]) then return -1 end
redis.call('HSET', KEYS[1], ARGV[1], total)
redis.call('EXPIRE', KEYS[1], ARGV[4])
return total
`;

export const ADD_ITEM_COMMAND = 'cartAddItem';
