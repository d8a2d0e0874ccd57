-- releasePermits: gives back the permits of a grant, then settles the resource (settle_permits:
-- the waiters that now fit are granted in order of arrival and told on their grant channels).
-- Expiry is judged by the server's clock (TIME).
-- KEYS[1] state: state hash (fence, seq, used, limit; token -> "<permits> <fence>")
-- KEYS[2] holders: holders zset (token -> expiry ms)
-- KEYS[3] waiters: waiter list
-- KEYS[4] places: places zset (entry -> deadline ms)
-- ARGV[1] token: the grant's token
-- Returns: OK when the token held a live grant; NOT_HELD when it held none, or one that had run out.
local stateKey = KEYS[1]
local holdersKey = KEYS[2]
local waitersKey = KEYS[3]
local placesKey = KEYS[4]
local token = ARGV[1]

local k = { state = stateKey, holders = holdersKey, waiters = waitersKey, places = placesKey }
local state = redis.call('HMGET', stateKey, token, 'used', 'limit', 'fence')
if not state[1] then return NOT_HELD end
local now = server_ms()
local expiry = tonumber(redis.call('ZSCORE', holdersKey, token) or '0')
redis.call('ZREM', holdersKey, token)
redis.call('HDEL', stateKey, token)
local used = tonumber(state[2] or '0') - tonumber(string.match(state[1], '^(%d+)'))
local fence = tonumber(state[4] or '0')
local settled_fence
used, settled_fence = settle_permits(k, now, used, tonumber(state[3] or '0'), fence)
if settled_fence ~= fence then
  redis.call('HSET', stateKey, 'used', used, 'fence', settled_fence)
else
  redis.call('HSET', stateKey, 'used', used)
end
if expiry > now then return OK end
return NOT_HELD
