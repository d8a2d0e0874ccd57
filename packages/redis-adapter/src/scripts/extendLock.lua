-- extendLock: resets the lock's TTL if the token still owns it.
-- KEYS[1] lock key
-- ARGV[1] token   ARGV[2] ttl (ms, server time)
-- Returns: OK, or NOT_HELD.
if call('GET', KEYS[1]) ~= ARGV[1] then return NOT_HELD end
call('PEXPIRE', KEYS[1], ARGV[2])
return OK
