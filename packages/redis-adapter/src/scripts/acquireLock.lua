-- acquireLock: SET lock token NX PX ttl and INCR of the fence counter, in one step, unless another
-- live waiter is ahead in the resource's waiter queue (waiters are served in order of arrival).
-- KEYS[1] lock key (holds the owner's token as a plain string)   KEYS[2] fence counter
-- KEYS[3] waiter list (tokens, oldest first)   KEYS[4] waiter deadlines zset (token -> ms)
-- ARGV[1] token   ARGV[2] ttl (ms, server time: PX)   ARGV[3] now (ms, caller's clock, for waiter deadlines)
-- Returns: the new fence, or nil when the lock is held or another waiter is first.
local token, ttl, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
-- waiters that stopped refreshing their place (gone, crashed) are dropped from the front
while true do
  local first = call('LINDEX', KEYS[3], 0)
  if not first then break end
  local deadline = call('ZSCORE', KEYS[4], first)
  if deadline and tonumber(deadline) > now then break end
  call('LPOP', KEYS[3])
  call('ZREM', KEYS[4], first)
end
local front = call('LINDEX', KEYS[3], 0)
if front and front ~= token then return nil end
local set = call('SET', KEYS[1], token, 'NX', 'PX', ttl)
if not set then
  expect_type(KEYS[1], 'string')
  return nil
end
if front then
  call('LPOP', KEYS[3])
  call('ZREM', KEYS[4], token)
end
return call('INCR', KEYS[2])
