-- raiseFence: raises a lock's fence counter to at least a value, never lowers it (Redlock keeps the
-- counters of a quorum at the fence it handed out, so the next quorum, which shares a server with
-- this one, counts past it).
-- KEYS[1] fence counter
-- ARGV[1] the fence handed out (integer)
-- Returns: the counter after the call.
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local target = tonumber(ARGV[1])
if current < target then
  redis.call('SET', KEYS[1], ARGV[1])
  return target
end
return current
