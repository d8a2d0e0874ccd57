-- leaveLockQueue: removes a waiter's token from the resource's waiter queue and, when it was
-- there, tells the other waiters to look again (the next one in line may now go).
-- KEYS[1] waiter list   KEYS[2] waiter deadlines zset
-- ARGV[1] token   ARGV[2] release channel
-- Returns: 1 when it was queued, 0 otherwise.
call('LREM', KEYS[1], 1, ARGV[1])
local removed = call('ZREM', KEYS[2], ARGV[1])
if removed == 1 then redis.call('PUBLISH', ARGV[2], '0') end
return removed
