-- acquireLock: SET lock token NX PX ttl and INCR of the fence counter, in one step, unless another
-- live waiter is ahead in the resource's waiter queue (waiters are served in order of arrival;
-- a free lock with live waiters is handed to the first of them here and now).
-- A caller that waits (ARGV[4] > 0) and does not get the lock takes or keeps its place in the
-- same step, so joining the line, each refresh of a place and each look at a lock that may have
-- been handed over already cost one round trip.
-- KEYS[1] lock key (holds the owner's token as a plain string)   KEYS[2] fence counter
-- KEYS[3] waiter list (entries, oldest first)   KEYS[4] waiter deadlines zset (entry -> ms)
-- ARGV[1] token   ARGV[2] ttl (ms, server time: PX)   ARGV[3] now (ms, caller's clock, for waiter deadlines)
-- ARGV[4] place deadline (ms, caller's clock) for a waiter, 0 for a caller that does not wait
-- ARGV[5] the waiter's grant channel (with ARGV[4] > 0)
-- Returns: the new fence; or, when not acquired, nil (ARGV[4] = 0); or, for a waiter,
-- { 1, fence } when the lock was already handed to this token by a release, or
-- { 0, the lock's PTTL (ms; -1 when it has no expiry), the fence counter } when it waits in line.
local token, ttl, now, place = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local front = call('LINDEX', KEYS[3], 0)
if front then front = first_live_waiter(KEYS[3], KEYS[4], now) end
local entry = place > 0 and waiter_entry(token, ttl, ARGV[5]) or nil
local pttl
if not front or front == entry then
  if call('SET', KEYS[1], token, 'NX', 'PX', ttl) then
    if front then
      call('LPOP', KEYS[3])
      call('ZREM', KEYS[4], entry)
    end
    return call('INCR', KEYS[2])
  end
  expect_type(KEYS[1], 'string')
else
  -- PTTL answers for a key of any type; -2: the holder is gone (expired, or a recipe client's
  -- DEL), so the first in line gets the lock now
  pttl = call('PTTL', KEYS[1])
  if pttl == -2 then
    hand_over(KEYS[1], KEYS[2], KEYS[3], KEYS[4], now)
    pttl = nil
  elseif place == 0 then
    expect_type(KEYS[1], 'string')
  end
  -- (a waiter's GET below fails on a key of another type before anything is written)
end
if place == 0 then return nil end
if call('GET', KEYS[1]) == token then return { 1, tonumber(call('GET', KEYS[2])) } end
if call('ZADD', KEYS[4], place, entry) == 1 then call('RPUSH', KEYS[3], entry) end
return { 0, pttl or call('PTTL', KEYS[1]), tonumber(call('GET', KEYS[2]) or '0') }
