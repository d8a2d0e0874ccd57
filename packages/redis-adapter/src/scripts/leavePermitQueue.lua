-- leavePermitQueue: takes a waiter that gives up out of line; permits handed to it in the
-- meantime are given back. Then settles the resource (settle_permits), since the waiters behind
-- it may fit now. Server clock (TIME).
-- KEYS[1] state hash (fence, seq, used, limit; token -> "<permits> <fence>")
-- KEYS[2] holders zset (token -> expiry ms)   KEYS[3] waiter list   KEYS[4] places zset (entry -> deadline ms)
-- ARGV[1] token   ARGV[2] the waiter's entry
-- Returns: 1 when it was in line or had been handed permits, 0 otherwise.
local k = { state = KEYS[1], holders = KEYS[2], waiters = KEYS[3], places = KEYS[4] }
local token, entry = ARGV[1], ARGV[2]
local now = server_ms()
local state = redis.call('HMGET', k.state, token, 'used', 'limit', 'fence')
local used, fence = tonumber(state[2] or '0'), tonumber(state[4] or '0')
local found = 0
if state[1] then
  redis.call('ZREM', k.holders, token)
  redis.call('HDEL', k.state, token)
  used = used - tonumber(string.match(state[1], '^(%d+)'))
  found = 1
end
if redis.call('LREM', k.waiters, 1, entry) > 0 then found = 1 end
redis.call('ZREM', k.places, entry)
used, fence = settle_permits(k, now, used, tonumber(state[3] or '0'), fence)
redis.call('HSET', k.state, 'used', used, 'fence', fence)
return found
