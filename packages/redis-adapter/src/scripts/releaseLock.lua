-- releaseLock: if the token still owns the lock, hands it to the first live waiter in line (the
-- lock takes that waiter's token and TTL, the fence goes up, the waiter is told on its grant
-- channel), or deletes it when nobody waits.
-- KEYS[1] lock key   KEYS[2] fence counter   KEYS[3] waiter list   KEYS[4] waiter deadlines zset
-- ARGV[1] token   ARGV[2] now (ms, caller's clock, for waiter deadlines)
-- Returns: OK, or NOT_HELD.
if call('GET', KEYS[1]) ~= ARGV[1] then return NOT_HELD end
if not hand_over(KEYS[1], KEYS[2], KEYS[3], KEYS[4], tonumber(ARGV[2])) then call('DEL', KEYS[1]) end
return OK
