-- acquireLock: SET lock token NX PX ttl and INCR of the fence counter, in one step, unless another
-- live waiter is ahead in the resource's waiter queue (waiters are served in order of arrival).
-- A waiter (ARGV[4] > 0) that does not get the lock keeps (or takes) its place in the same step,
-- so each wake-up of a waiter costs one round trip.
-- KEYS[1] lock key (holds the owner's token as a plain string)   KEYS[2] fence counter
-- KEYS[3] waiter list (tokens, oldest first)   KEYS[4] waiter deadlines zset (token -> ms)
-- ARGV[1] token   ARGV[2] ttl (ms, server time: PX)   ARGV[3] now (ms, caller's clock, for waiter deadlines)
-- ARGV[4] place deadline (ms, caller's clock) for a waiter, 0 for a caller that does not wait
-- Returns: the new fence; or, when not acquired, nil (ARGV[4] = 0) or
-- { the lock's PTTL (ms; -2 when free, -1 when it has no expiry), 1 when first in line else 0 }.
local token, ttl, now, place = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
drop_expired_waiters(KEYS[3], KEYS[4], now)
local front = call('LINDEX', KEYS[3], 0)
if not front or front == token then
  if call('SET', KEYS[1], token, 'NX', 'PX', ttl) then
    if front then
      call('LPOP', KEYS[3])
      call('ZREM', KEYS[4], token)
    end
    return call('INCR', KEYS[2])
  end
  expect_type(KEYS[1], 'string')
end
if place == 0 then return nil end
if call('ZADD', KEYS[4], place, token) == 1 then
  call('RPUSH', KEYS[3], token)
  if not front then front = token end
end
return { call('PTTL', KEYS[1]), front == token and 1 or 0 }
