-- acquireLock: SET lock token NX PX ttl and INCR of the fence counter, in one step, unless another
-- live waiter is ahead in the resource's waiter queue (waiters are served in order of arrival;
-- a free lock with live waiters is handed to the first of them here and now).
-- A caller that waits (placeUntil > 0) and does not get the lock takes or keeps its place in the
-- same step, so joining the line, each refresh of a place and each look at a lock that may have
-- been handed over already cost one round trip.
-- KEYS[1] lock: lock key (holds the owner's token as a plain string)
-- KEYS[2] fence: fence counter
-- KEYS[3] waiters: waiter list (entries, oldest first)
-- KEYS[4] waiterDeadlines: waiter deadlines zset (entry -> ms)
-- ARGV[1] token: the caller's token
-- ARGV[2] ttlMs: the lock's TTL (ms, server time: PX)
-- ARGV[3] now: ms, caller's clock, for waiter deadlines
-- ARGV[4] placeUntil: place deadline (ms, caller's clock) for a waiter, 0 for a caller that does not wait
-- ARGV[5] grantChannel: the waiter's grant channel (with placeUntil > 0)
-- Returns: the new fence; or, when not acquired, nil (placeUntil = 0); or, for a waiter,
-- { HANDED_OVER, fence } when the lock was already handed to this token by a release, or
-- { IN_LINE, the lock's PTTL (ms; -1 when it has no expiry), the fence counter } when it waits in line.
local lockKey = KEYS[1]
local fenceKey = KEYS[2]
local waitersKey = KEYS[3]
local waiterDeadlinesKey = KEYS[4]
local token = ARGV[1]
local ttlMs = ARGV[2]
local now = tonumber(ARGV[3])
local placeUntil = tonumber(ARGV[4])
local grantChannel = ARGV[5]

local front = call('LINDEX', waitersKey, 0)
if front then front = first_live_waiter(waitersKey, waiterDeadlinesKey, now) end
local entry = placeUntil > 0 and waiter_entry(token, ttlMs, grantChannel) or nil
local pttl
if not front or front == entry then
  if call('SET', lockKey, token, 'NX', 'PX', ttlMs) then
    if front then
      call('LPOP', waitersKey)
      call('ZREM', waiterDeadlinesKey, entry)
    end
    return call('INCR', fenceKey)
  end
  expect_type(lockKey, 'string')
else
  -- PTTL answers for a key of any type; -2: the holder is gone (expired, or a recipe client's
  -- DEL), so the first in line gets the lock now
  pttl = call('PTTL', lockKey)
  if pttl == -2 then
    hand_over(lockKey, fenceKey, waitersKey, waiterDeadlinesKey, now)
    pttl = nil
  elseif placeUntil == 0 then
    expect_type(lockKey, 'string')
  end
  -- (a waiter's GET below fails on a key of another type before anything is written)
end
if placeUntil == 0 then return nil end
if call('GET', lockKey) == token then return { HANDED_OVER, tonumber(call('GET', fenceKey)) } end
if call('ZADD', waiterDeadlinesKey, placeUntil, entry) == 1 then call('RPUSH', waitersKey, entry) end
return { IN_LINE, pttl or call('PTTL', lockKey), tonumber(call('GET', fenceKey) or '0') }
