-- leaveLockQueue: takes a waiter that gives up out of the resource's waiter queue. A lock handed
-- to it in the meantime is passed on (or freed); when it was first in line and the lock is free,
-- the next live waiter gets it.
-- KEYS[1] lock key   KEYS[2] fence counter   KEYS[3] waiter list   KEYS[4] waiter deadlines zset
-- ARGV[1] token   ARGV[2] the waiter's entry   ARGV[3] now (ms, caller's clock, for waiter deadlines)
-- Returns: 1 when it was queued or had been handed the lock, 0 otherwise.
local now = tonumber(ARGV[3])
if call('GET', KEYS[1]) == ARGV[1] then
  if not hand_over(KEYS[1], KEYS[2], KEYS[3], KEYS[4], now) then call('DEL', KEYS[1]) end
  return 1
end
local was_first = call('LINDEX', KEYS[3], 0) == ARGV[2]
call('LREM', KEYS[3], 1, ARGV[2])
local removed = call('ZREM', KEYS[4], ARGV[2])
if was_first and call('EXISTS', KEYS[1]) == 0 then hand_over(KEYS[1], KEYS[2], KEYS[3], KEYS[4], now) end
return removed
