-- leaveLockQueue: removes a waiter's token from the resource's waiter queue and, when it was
-- first in line, tells the next waiter (the message is its token): it may now go.
-- KEYS[1] waiter list   KEYS[2] waiter deadlines zset
-- ARGV[1] token   ARGV[2] release channel
-- Returns: 1 when it was queued, 0 otherwise.
local was_first = call('LINDEX', KEYS[1], 0) == ARGV[1]
call('LREM', KEYS[1], 1, ARGV[1])
local removed = call('ZREM', KEYS[2], ARGV[1])
if was_first then
  local front = call('LINDEX', KEYS[1], 0)
  if front then redis.call('PUBLISH', ARGV[2], front) end
end
return removed
