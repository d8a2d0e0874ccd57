-- acquirePermits: grants permits of a semaphore or read/write lock if nobody waits before the
-- caller and they fit under the limit, after settling the resource (settle_permits: expired grants
-- dropped, waiters that fit granted in order). A caller that waits (placeMs > 0) and is not granted
-- takes or keeps its place in line in the same step, so joining the line, each refresh of a place
-- and each look at permits that may have been handed over already cost one round trip. Expiries
-- and place deadlines are judged by the server's clock (TIME); the caller sends durations only.
-- KEYS[1] state: state hash (fence, seq, used, limit; token -> "<permits> <fence>")
-- KEYS[2] holders: holders zset (token -> expiry ms)
-- KEYS[3] waiters: waiter list
-- KEYS[4] places: places zset (entry -> deadline ms)
-- ARGV[1] token: the caller's token
-- ARGV[2] permits: permits asked for
-- ARGV[3] limit: the caller's limit
-- ARGV[4] ttlMs: the grant's TTL (ms)
-- ARGV[5] bump: 1: increment the fence, 0: read it
-- ARGV[6] placeMs: how long a waiter's place lasts without a refresh (ms); 0 for a caller that does not wait
-- ARGV[7] grantChannel: the waiter's grant channel (with placeMs > 0)
-- Returns: the grant's fence; nil when not granted (placeMs = 0); { HANDED_OVER, fence } when the
-- permits were already handed to this token; { IN_LINE, ms until the first grant runs out (-1:
-- none), hand-off seq } when it waits in line; { LIMIT_MISMATCH, limit in force } when `limit`
-- disagrees with that limit.
local stateKey = KEYS[1]
local holdersKey = KEYS[2]
local waitersKey = KEYS[3]
local placesKey = KEYS[4]
local token = ARGV[1]
local permits = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local ttlMs = ARGV[4]
local bump = ARGV[5]
local placeMs = tonumber(ARGV[6])
local grantChannel = ARGV[7]

local k = { state = stateKey, holders = holdersKey, waiters = waitersKey, places = placesKey }
local now = server_ms()
local state = redis.call('HMGET', stateKey, 'used', 'limit', 'fence', token)
local used, stored, fence, hold = tonumber(state[1] or '0'), tonumber(state[2] or '0'), tonumber(state[3] or '0'), state[4]
local waiting = redis.call('EXISTS', waitersKey) == 1
if used > 0 or waiting then
  local before_used, before_fence = used, fence
  used, fence = settle_permits(k, now, used, stored, fence)
  if used ~= before_used or fence ~= before_fence then redis.call('HSET', stateKey, 'used', used, 'fence', fence) end
  waiting = redis.call('EXISTS', waitersKey) == 1
  if placeMs > 0 then hold = redis.call('HGET', stateKey, token) end
end
if placeMs > 0 and hold then return { HANDED_OVER, tonumber(string.match(hold, ' (%d+)$')) } end
if (used > 0 or waiting) and stored ~= limit then return { LIMIT_MISMATCH, stored } end
if not waiting and used + permits <= limit then
  if bump == '1' then fence = fence + 1 end
  redis.call('ZADD', holdersKey, now + tonumber(ttlMs), token)
  redis.call('HSET', stateKey, token, permits .. ' ' .. fence, 'used', used + permits, 'limit', limit, 'fence', fence)
  return fence
end
if placeMs == 0 then return nil end
local entry = permit_entry(token, permits, ttlMs, bump, grantChannel)
if redis.call('ZADD', placesKey, now + placeMs, entry) == 1 then redis.call('RPUSH', waitersKey, entry) end
local first = redis.call('ZRANGE', holdersKey, 0, 0, 'WITHSCORES')
local wake = first[2] and math.max(0, tonumber(first[2]) - now) or -1
return { IN_LINE, wake, tonumber(redis.call('HGET', stateKey, 'seq') or '0') }
