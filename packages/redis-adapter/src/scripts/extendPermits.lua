-- extendPermits: resets a live grant's expiry to ttl from now (server clock, TIME).
-- KEYS[1] holders zset (token -> expiry ms)
-- ARGV[1] token   ARGV[2] ttl (ms)
-- Returns: OK; NOT_HELD when the token holds no grant or one that ran out (that one is left for
-- the next settling step to drop).
local now = server_ms()
local expiry = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not expiry or tonumber(expiry) <= now then return NOT_HELD end
redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
return OK
