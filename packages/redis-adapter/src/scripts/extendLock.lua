-- extendLock: resets the lock's TTL if the token still owns it.
-- KEYS[1] lock: lock key
-- ARGV[1] token: the owner's token
-- ARGV[2] ttlMs: the new TTL (ms, server time)
-- Returns: OK, or NOT_HELD.
local lockKey = KEYS[1]
local token = ARGV[1]
local ttlMs = ARGV[2]

if call('GET', lockKey) ~= token then return NOT_HELD end
call('PEXPIRE', lockKey, ttlMs)
return OK
