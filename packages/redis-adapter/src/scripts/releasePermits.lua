-- releasePermits: gives back the permits of a grant, then settles the resource (settle_permits:
-- the waiters that now fit are granted in order of arrival and told on their grant channels).
-- Expiry is judged by the server's clock (TIME).
-- KEYS[1] meta hash   KEYS[2] holders zset   KEYS[3] holds hash   KEYS[4] waiter list   KEYS[5] places zset
-- ARGV[1] token
-- Returns: OK when the token held a live grant; NOT_HELD when it held none, or one that had run out.
local k = { meta = KEYS[1], holders = KEYS[2], holds = KEYS[3], waiters = KEYS[4], places = KEYS[5] }
local token = ARGV[1]
local hold = call('HGET', k.holds, token)
if not hold then return NOT_HELD end
local now = server_ms()
local expiry = tonumber(call('ZSCORE', k.holders, token) or '0')
call('ZREM', k.holders, token)
call('HDEL', k.holds, token)
local meta = call('HMGET', k.meta, 'used', 'limit', 'fence')
local used = tonumber(meta[1] or '0') - tonumber(string.match(hold, '^(%d+)'))
local fence = tonumber(meta[3] or '0')
used, fence = settle_permits(k, now, used, tonumber(meta[2] or '0'), fence)
call('HSET', k.meta, 'used', used, 'fence', fence)
if expiry > now then return OK end
return NOT_HELD
