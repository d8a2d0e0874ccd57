-- releaseLock: deletes the lock if the token still owns it and tells the first live waiter in
-- line (the message is its token), so only the waiter whose turn it is wakes up.
-- KEYS[1] lock key   KEYS[2] waiter list   KEYS[3] waiter deadlines zset
-- ARGV[1] token   ARGV[2] release channel   ARGV[3] now (ms, caller's clock, for waiter deadlines)
-- Returns: OK, or NOT_HELD.
if call('GET', KEYS[1]) ~= ARGV[1] then return NOT_HELD end
call('DEL', KEYS[1])
drop_expired_waiters(KEYS[2], KEYS[3], tonumber(ARGV[3]))
local front = call('LINDEX', KEYS[2], 0)
if front then redis.call('PUBLISH', ARGV[2], front) end
return OK
