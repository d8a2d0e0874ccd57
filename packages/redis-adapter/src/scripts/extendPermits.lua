-- extendPermits: resets a live grant's expiry to ttl from now (server clock, TIME).
-- KEYS[1] holders: holders zset (token -> expiry ms)
-- ARGV[1] token: the grant's token
-- ARGV[2] ttlMs: the new TTL (ms)
-- Returns: OK; NOT_HELD when the token holds no grant or one that ran out (that one is left for
-- the next settling step to drop).
local holdersKey = KEYS[1]
local token = ARGV[1]
local ttlMs = tonumber(ARGV[2])

local now = server_ms()
local expiry = redis.call('ZSCORE', holdersKey, token)
if not expiry or tonumber(expiry) <= now then return NOT_HELD end
redis.call('ZADD', holdersKey, 'XX', now + ttlMs, token)
return OK
