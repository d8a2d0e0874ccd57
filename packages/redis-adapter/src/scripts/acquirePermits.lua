-- acquirePermits: grants permits of a semaphore or read/write lock if nobody waits before the
-- caller and they fit under the limit, after settling the resource (settle_permits: expired grants
-- dropped, waiters that fit granted in order). A caller that waits (ARGV[6] > 0) and is not granted
-- takes or keeps its place in line in the same step, so joining the line, each refresh of a place
-- and each look at permits that may have been handed over already cost one round trip. Expiries
-- and place deadlines are judged by the server's clock (TIME); the caller sends durations only.
-- KEYS[1] state hash (fence, seq, used, limit; token -> "<permits> <fence>")
-- KEYS[2] holders zset (token -> expiry ms)   KEYS[3] waiter list   KEYS[4] places zset (entry -> deadline ms)
-- ARGV[1] token   ARGV[2] permits   ARGV[3] limit   ARGV[4] ttl (ms)   ARGV[5] 1: increment the fence, 0: read it
-- ARGV[6] how long a waiter's place lasts without a refresh (ms); 0 for a caller that does not wait
-- ARGV[7] the waiter's grant channel (with ARGV[6] > 0)
-- Returns: the grant's fence; nil when not granted (ARGV[6] = 0); { 1, fence } when the permits
-- were already handed to this token; { 0, ms until the first grant runs out (-1: none), hand-off
-- seq } when it waits in line; { 2, limit in force } when ARGV[3] disagrees with that limit.
local k = { state = KEYS[1], holders = KEYS[2], waiters = KEYS[3], places = KEYS[4] }
local token, permits, limit, ttl, bump, place = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5], tonumber(ARGV[6])
local now = server_ms()
local state = redis.call('HMGET', k.state, 'used', 'limit', 'fence', token)
local used, stored, fence, hold = tonumber(state[1] or '0'), tonumber(state[2] or '0'), tonumber(state[3] or '0'), state[4]
local waiting = redis.call('EXISTS', k.waiters) == 1
if used > 0 or waiting then
  local before_used, before_fence = used, fence
  used, fence = settle_permits(k, now, used, stored, fence)
  if used ~= before_used or fence ~= before_fence then redis.call('HSET', k.state, 'used', used, 'fence', fence) end
  waiting = redis.call('EXISTS', k.waiters) == 1
  if place > 0 then hold = redis.call('HGET', k.state, token) end
end
if place > 0 and hold then return { 1, tonumber(string.match(hold, ' (%d+)$')) } end
if (used > 0 or waiting) and stored ~= limit then return { 2, stored } end
if not waiting and used + permits <= limit then
  if bump == '1' then fence = fence + 1 end
  redis.call('ZADD', k.holders, now + tonumber(ttl), token)
  redis.call('HSET', k.state, token, permits .. ' ' .. fence, 'used', used + permits, 'limit', limit, 'fence', fence)
  return fence
end
if place == 0 then return nil end
local entry = permit_entry(token, permits, ttl, bump, ARGV[7])
if redis.call('ZADD', k.places, now + place, entry) == 1 then redis.call('RPUSH', k.waiters, entry) end
local first = redis.call('ZRANGE', k.holders, 0, 0, 'WITHSCORES')
local wake = first[2] and math.max(0, tonumber(first[2]) - now) or -1
return { 0, wake, tonumber(redis.call('HGET', k.state, 'seq') or '0') }
