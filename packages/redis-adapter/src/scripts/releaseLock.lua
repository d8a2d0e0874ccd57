-- releaseLock: deletes the lock if the token still owns it and announces the release to waiters.
-- KEYS[1] lock key
-- ARGV[1] token   ARGV[2] release channel
-- Returns: OK, or NOT_HELD.
if call('GET', KEYS[1]) ~= ARGV[1] then return NOT_HELD end
call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[2], '1')
return OK
