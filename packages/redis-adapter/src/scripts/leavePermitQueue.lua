-- leavePermitQueue: takes a waiter that gives up out of line; permits handed to it in the
-- meantime are given back. Then settles the resource (settle_permits), since the waiters behind
-- it may fit now. Server clock (TIME).
-- KEYS[1] state: state hash (fence, seq, used, limit; token -> "<permits> <fence>")
-- KEYS[2] holders: holders zset (token -> expiry ms)
-- KEYS[3] waiters: waiter list
-- KEYS[4] places: places zset (entry -> deadline ms)
-- ARGV[1] token: the waiter's token
-- ARGV[2] entry: the waiter's entry
-- Returns: 1 when it was in line or had been handed permits, 0 otherwise.
local stateKey = KEYS[1]
local holdersKey = KEYS[2]
local waitersKey = KEYS[3]
local placesKey = KEYS[4]
local token = ARGV[1]
local entry = ARGV[2]

local k = { state = stateKey, holders = holdersKey, waiters = waitersKey, places = placesKey }
local now = server_ms()
local state = redis.call('HMGET', stateKey, token, 'used', 'limit', 'fence')
local used, fence = tonumber(state[2] or '0'), tonumber(state[4] or '0')
local found = 0
if state[1] then
  redis.call('ZREM', holdersKey, token)
  redis.call('HDEL', stateKey, token)
  used = used - tonumber(string.match(state[1], '^(%d+)'))
  found = 1
end
if redis.call('LREM', waitersKey, 1, entry) > 0 then found = 1 end
redis.call('ZREM', placesKey, entry)
used, fence = settle_permits(k, now, used, tonumber(state[3] or '0'), fence)
redis.call('HSET', stateKey, 'used', used, 'fence', fence)
return found
