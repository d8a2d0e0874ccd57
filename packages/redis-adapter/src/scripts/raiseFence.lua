-- raiseFence: raises a lock's fence counter to at least a value, never lowers it (Redlock keeps the
-- counters of a quorum at the fence it handed out, so the next quorum, which shares a server with
-- this one, counts past it).
-- KEYS[1] fence: fence counter
-- ARGV[1] target: the fence handed out (integer)
-- Returns: the counter after the call.
local fenceKey = KEYS[1]
local target = ARGV[1]

local current = tonumber(redis.call('GET', fenceKey) or '0')
if current < tonumber(target) then
  redis.call('SET', fenceKey, target)
  return tonumber(target)
end
return current
