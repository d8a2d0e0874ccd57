-- acquireLock: SET lock token NX PX ttl and INCR of the fence counter, in one step, unless another
-- live waiter is ahead in the resource's waiter queue (waiters are served in order of arrival;
-- a free lock with live waiters is handed to the first of them here and now).
-- A caller that waits (placeMs > 0) and does not get the lock takes or keeps its place in the
-- same step, so joining the line, each refresh of a place and each look at a lock that may have
-- been handed over already cost one round trip.
-- KEYS[1] lock: lock key (holds the owner's token as a plain string)
-- KEYS[2] fence: fence counter
-- KEYS[3] waiters: waiter list (entries, oldest first)
-- KEYS[4] waiterDeadlines: waiter deadlines zset (entry -> ms)
-- ARGV[1] token: the caller's token
-- ARGV[2] ttlMs: the lock's TTL (ms, server time: PX)
-- ARGV[3] placeMs: how long a waiter's place is kept (ms, from the server's clock), 0 for a caller that does not wait
-- ARGV[4] grantChannel: the waiter's grant channel (with placeMs > 0)
-- Place deadlines are judged by the server's clock (TIME), since every node compares them; the
-- caller sends a duration only.
-- Returns: the new fence; or, when not acquired, nil (placeMs = 0); or, for a waiter,
-- { HANDED_OVER, fence } when the lock was already handed to this token by a release, or
-- { IN_LINE, the lock's PTTL (ms; -1 when it has no expiry), the fence counter } when it waits in line.
local lockKey = KEYS[1]
local fenceKey = KEYS[2]
local waitersKey = KEYS[3]
local waiterDeadlinesKey = KEYS[4]
local token = ARGV[1]
local ttlMs = ARGV[2]
local placeMs = tonumber(ARGV[3])
local grantChannel = ARGV[4]
-- the server's clock, read only when a place in line is judged or kept: an uncontended acquire
-- costs no TIME call
local now

local front = call('LINDEX', waitersKey, 0)
if front then
  now = server_ms()
  front = first_live_waiter(waitersKey, waiterDeadlinesKey, now)
end
local entry = placeMs > 0 and waiter_entry(token, ttlMs, grantChannel) or nil
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
  elseif placeMs == 0 then
    expect_type(lockKey, 'string')
  end
  -- (a waiter's GET below fails on a key of another type before anything is written)
end
if placeMs == 0 then return nil end
if call('GET', lockKey) == token then return { HANDED_OVER, tonumber(call('GET', fenceKey)) } end
if call('ZADD', waiterDeadlinesKey, (now or server_ms()) + placeMs, entry) == 1 then call('RPUSH', waitersKey, entry) end
return { IN_LINE, pttl or call('PTTL', lockKey), tonumber(call('GET', fenceKey) or '0') }
