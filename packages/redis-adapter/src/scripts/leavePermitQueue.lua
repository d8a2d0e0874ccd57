-- leavePermitQueue: takes a waiter that gives up out of line; permits handed to it in the
-- meantime are given back. Then settles the resource (settle_permits), since the waiters behind
-- it may fit now. Server clock (TIME).
-- KEYS[1] meta hash   KEYS[2] holders zset   KEYS[3] holds hash   KEYS[4] waiter list   KEYS[5] places zset
-- ARGV[1] token   ARGV[2] the waiter's entry
-- Returns: 1 when it was in line or had been handed permits, 0 otherwise.
local k = { meta = KEYS[1], holders = KEYS[2], holds = KEYS[3], waiters = KEYS[4], places = KEYS[5] }
local token, entry = ARGV[1], ARGV[2]
local now = server_ms()
local meta = call('HMGET', k.meta, 'used', 'limit', 'fence')
local used, fence = tonumber(meta[1] or '0'), tonumber(meta[3] or '0')
local found = 0
local hold = call('HGET', k.holds, token)
if hold then
  call('ZREM', k.holders, token)
  call('HDEL', k.holds, token)
  used = used - tonumber(string.match(hold, '^(%d+)'))
  found = 1
end
if call('LREM', k.waiters, 1, entry) > 0 then found = 1 end
call('ZREM', k.places, entry)
used, fence = settle_permits(k, now, used, tonumber(meta[2] or '0'), fence)
call('HSET', k.meta, 'used', used, 'fence', fence)
return found
